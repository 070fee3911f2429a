using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using TenantBilling.Silo.Hosting;
using TenantBilling.Silo.Management;
using TenantBilling.Silo.Telemetry;

namespace TenantBilling.Silo;

/// <summary>
/// A silo of the billing cluster. Configuration: ConnectionStrings:Orleans (PostgreSQL), Orleans:*, Billing:*,
/// Management:Url (health probes and /metrics), Shutdown:*, Telemetry:*, Dashboard:*; deploy/README.md lists them all.
/// </summary>
/// <remarks>A named class rather than top-level statements, so the API's own <c>Program</c> stays the only one its tests see.</remarks>
public static class SiloProgram
{
    public static Task Main(string[] args) => Build(args).RunAsync();

    /// <summary>The silo process, built and not started (tests start it in-process).</summary>
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddTenantBillingTelemetry("tenant-billing-silo");
        builder.UseOrleans(silo => silo.AddTenantBillingSilo(builder.Configuration, builder.Environment));
        builder.AddSiloManagement();
        builder.AddSiloShutdown();

        var app = builder.Build();
        app.MapSiloManagement();
        return app;
    }
}
