using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TenantBilling.Silo.Telemetry;

namespace TenantBilling.Api.Tests;

/// <summary>
/// What the dashboard puts on a silo: its collection when <c>Dashboard:Enabled</c> (the default), and its method
/// profiler, a filter on every grain call, only with <c>Dashboard:MethodProfiler=true</c>.
/// </summary>
public sealed class DashboardHostingTests
{
    [Fact]
    public void By_default_the_dashboard_is_on_and_its_method_profiler_is_not_on_the_call_path()
    {
        var services = SiloServices([]);

        Assert.Contains(services, s => s.ServiceType.FullName == "Orleans.Dashboard.DashboardHost");
        Assert.Contains(services, s => s.ServiceType.FullName == "Orleans.Dashboard.Metrics.IGrainProfiler");
        Assert.DoesNotContain(services, TelemetryHosting.IsDashboardMethodProfiler);
        Assert.DoesNotContain(services, s => s.ServiceType == typeof(IIncomingGrainCallFilter) && IsDashboards(s));
    }

    /// <summary>Also fails when a new dashboard version renames its filter, which would leave it on the call path unnoticed.</summary>
    [Fact]
    public void The_method_profiler_is_added_when_asked_for()
    {
        var services = SiloServices(new() { ["Dashboard:MethodProfiler"] = "true" });

        Assert.Single(services, TelemetryHosting.IsDashboardMethodProfiler);
    }

    [Fact]
    public void Without_the_dashboard_nothing_of_it_is_added_even_with_the_profiler_asked_for()
    {
        var services = SiloServices(new() { ["Dashboard:Enabled"] = "false", ["Dashboard:MethodProfiler"] = "true" });

        Assert.DoesNotContain(services, IsDashboards);
    }

    private static bool IsDashboards(ServiceDescriptor service) =>
        (service.ImplementationType ?? service.ServiceType).Namespace?.StartsWith("Orleans.Dashboard", StringComparison.Ordinal) == true;

    private static List<ServiceDescriptor> SiloServices(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleans(silo => silo.AddTenantBillingSiloTelemetry(configuration));
        return [.. builder.Services];
    }
}
