using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TenantBilling.Silo.Management;

/// <summary>
/// The silo's management listener (<see cref="ManagementSettings.Url"/>, loopback port 8081 by default),
/// without authentication: it belongs on the cluster's own network.
/// <list type="bullet">
/// <item><c>/health/startup</c>: the silo has joined the cluster (once true, stays true).</item>
/// <item><c>/health/live</c>: the process answers. Depends on nothing: not PostgreSQL, not other silos.</item>
/// <item><c>/health/ready</c>: an active member now, a grain reads its state from PostgreSQL, and not shutting down.</item>
/// <item><c>/metrics</c>: Prometheus.</item>
/// </list>
/// Kestrel starts after the silo has joined, so until then the port refuses connections and the startup probe fails.
/// </summary>
public static class SiloManagement
{
    public const string StartupPath = "/health/startup";
    public const string LivePath = "/health/live";
    public const string ReadyPath = "/health/ready";
    public const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddSiloManagement(this WebApplicationBuilder builder)
    {
        var settings = ManagementSettings.From(builder.Configuration);
        var url = settings.Url ?? ManagementSettings.SiloDefaultUrl;
        ManagementSettings.PortOf(url);
        builder.WebHost.UseUrls(url);
        builder.Services.AddHealthChecks()
            .Add(new HealthCheckRegistration("silo-started", sp => new SiloStatusHealthCheck(sp.GetRequiredService<ISiloStatusOracle>(), requireActiveNow: false), null, [HealthTags.Startup]))
            .Add(new HealthCheckRegistration("silo-active", sp => new SiloStatusHealthCheck(sp.GetRequiredService<ISiloStatusOracle>(), requireActiveNow: true), null, [HealthTags.Ready]))
            .AddCheck<GrainStorageHealthCheck>("storage", tags: [HealthTags.Ready])
            .AddCheck<ShutdownHealthCheck>("shutdown", tags: [HealthTags.Ready]);
        return builder;
    }

    public static WebApplication MapSiloManagement(this WebApplication app)
    {
        app.MapHealthChecks(StartupPath, Only(HealthTags.Startup));
        app.MapHealthChecks(LivePath, new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks(ReadyPath, Only(HealthTags.Ready));
        app.MapPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    private static HealthCheckOptions Only(string tag) => new() { Predicate = check => check.Tags.Contains(tag) };
}
