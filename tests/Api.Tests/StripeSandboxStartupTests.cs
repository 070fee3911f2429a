using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Api.Sandbox;
using TenantBilling.Api.Tests.Support;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>When the Stripe sandbox runs: never in Production (refused at start), by default in Development, with test mode.</summary>
public sealed class StripeSandboxStartupTests
{
    private const string OperatorKey = "sandbox-startup-tests-operator-key";

    [Theory]
    [InlineData("CoHosted")]
    [InlineData("Client")]
    public void The_sandbox_is_refused_in_production(string cluster)
    {
        using var api = Api("Production", ("StripeSandbox:Enabled", "true"), ("Api:Cluster", cluster));

        var refused = Assert.Throws<InvalidOperationException>(() => api.CreateClient());

        Assert.Contains("The Stripe sandbox (StripeSandbox:Enabled) is refused in the Production environment", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_runs_no_sandbox_and_no_test_clock_by_default()
    {
        using var api = Api("Production");
        var client = Operator(api);

        var account = await (await client.PostJsonAsync("/v1/accounts", """{"accountId":"prod-check","name":"Production check"}""")).ExpectJsonAsync(HttpStatusCode.Created);

        Assert.False(account.GetProperty("stripe").GetProperty("sandbox").GetBoolean());
        Assert.False(api.Services.GetRequiredService<StripeSandboxLabel>().IsSandbox);
        Assert.Null(api.Services.GetService<StripeSandboxHost>());
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/v1/test-clock")).StatusCode);
    }

    [Fact]
    public async Task Development_s_settings_turn_on_the_sandbox_and_the_test_clock_with_no_restart_needed()
    {
        using var api = Api("Development");
        var client = Operator(api);

        var account = await (await client.PostJsonAsync("/v1/accounts", """{"accountId":"dev-check","name":"Development check"}""")).ExpectJsonAsync(HttpStatusCode.Created);
        var moved = await (await client.PostJsonAsync("/v1/test-clock", """{"now":"2026-10-01T12:00:00Z"}""")).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.True(account.GetProperty("stripe").GetProperty("sandbox").GetBoolean());
        Assert.True(api.Services.GetRequiredService<StripeSandboxHost>().Server.BaseUrl.IsLoopback);
        Assert.Equal(new DateTimeOffset(2026, 10, 1, 12, 0, 0, TimeSpan.Zero), moved.GetProperty("now").GetDateTimeOffset(), TimeSpan.FromMinutes(1));
    }

    [Theory]
    [InlineData(false, false, true, false, false)]
    [InlineData(true, false, true, false, true)]
    [InlineData(true, false, false, false, false)]
    [InlineData(true, false, true, true, false)]
    [InlineData(false, true, true, false, false)]
    public void The_sandbox_runs_only_when_enabled_with_the_embedded_silo_and_no_stripe_configured(bool enabled, bool production, bool embedded, bool stripeConfigured, bool runs)
    {
        var decision = StripeSandboxDecision.For(enabled, production, embedded, stripeConfigured);

        Assert.Equal(runs, decision.Runs);
        Assert.False(string.IsNullOrWhiteSpace(decision.Reason));
    }

    [Theory]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void Enabled_in_production_is_refused_whatever_else_is_configured(bool embedded, bool stripeConfigured) =>
        Assert.Throws<InvalidOperationException>(() => StripeSandboxDecision.For(enabled: true, production: true, embedded, stripeConfigured));

    private static HttpClient Operator(WebApplicationFactory<Program> api)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", OperatorKey);
        return client;
    }

    private static WebApplicationFactory<Program> Api(string environment, params (string Key, string Value)[] settings) =>
        new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("Auth:OperatorKeys:0", OperatorKey);
            builder.UseSetting("Orleans:ClusterId", $"sandbox-startup-{Guid.NewGuid():N}");
            builder.UseSetting("Orleans:SiloPort", Ports.FreeText());
            builder.UseSetting("Orleans:GatewayPort", Ports.FreeText());
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            foreach (var (key, value) in settings)
            {
                builder.UseSetting(key, value);
            }
        });
}
