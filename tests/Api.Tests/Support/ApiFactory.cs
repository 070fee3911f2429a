using TenantBilling.TestSupport;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TenantBilling.Grains;

namespace TenantBilling.Api.Tests.Support;

/// <summary>
/// The API as deployed by default (a co-hosted silo with in-memory providers), with test mode on so
/// <c>/v1/test-clock</c> is mapped, and a billing clock that stands still at <see cref="Now"/> unless a
/// test moves it. Each factory has its own silo on its own free ports, so test classes run in parallel.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string OperatorKey = "api-tests-operator-key-0123456789";

    /// <summary>Mid-November 2026: October is closed, November is not.</summary>
    public static readonly DateTimeOffset Now = new(2026, 11, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// The time the test clock wraps. Test mode registers its <see cref="TestClock"/> as the billing clock
    /// with a plain Add (not TryAdd), so replacing the clock means replacing the TestClock it resolves.
    /// </summary>
    public FakeTimeProvider Time { get; } = new(Now);

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Auth:OperatorKeys:0", OperatorKey);
        builder.UseSetting("TestMode:Enabled", "true");
        builder.UseSetting("Orleans:ClusterId", "api-tests");
        builder.UseSetting("Orleans:SiloPort", Ports.FreeText());
        builder.UseSetting("Orleans:GatewayPort", Ports.FreeText());
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(new TestClock(Time));
            services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        });
    }

    /// <summary>A client that sends <paramref name="key"/> as its bearer key (none when null).</summary>
    public HttpClient Client(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return client;
    }

    public HttpClient Operator() => Client(OperatorKey);

}
