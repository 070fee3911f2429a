using Microsoft.Extensions.Configuration;
using TenantBilling.Silo.Telemetry;

namespace TenantBilling.Api.Tests;

/// <summary>When a process collects traces, and so adds Orleans' activity propagation to every grain call.</summary>
public sealed class TracesSettingTests
{
    [Theory]
    [InlineData(null, null, false)]
    [InlineData("", null, false)]
    [InlineData(null, "false", false)]
    [InlineData("http://collector:4317", null, true)]
    [InlineData(null, "true", true)]
    [InlineData("http://collector:4317", "false", true)]
    public void Traces_are_collected_only_with_an_otlp_endpoint_or_telemetry_traces(string? otlpEndpoint, string? traces, bool expected)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                [TelemetrySettings.OtlpEndpointSetting] = otlpEndpoint,
                ["Telemetry:Traces"] = traces,
            })
            .Build();

        Assert.Equal(expected, configuration.TracesEnabled());
    }
}
