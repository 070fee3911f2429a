using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing.Matching;
using Orleans.Dashboard;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Silo.Management;
using TenantBilling.Silo.Telemetry;

namespace TenantBilling.Api.Operations;

/// <summary>
/// What the API offers operators besides the REST API: telemetry, <c>/metrics</c> (Prometheus), the
/// Orleans dashboard at <c>/dashboard</c>, readiness that turns false at shutdown, and the optional
/// management port (<see cref="ManagementSettings"/>). docs/operations.md describes each.
/// </summary>
public static class OperationsHosting
{
    public const string ServiceName = "tenant-billing-api";
    public const string OperatorPolicy = "operator-key";
    public const string MetricsPath = "/metrics";
    public const string DashboardPath = "/dashboard";

    /// <summary>Where Kestrel listens when neither <c>Urls</c> nor <c>ASPNETCORE_HTTP_PORTS</c> says.</summary>
    private const string DefaultPublicUrl = "http://localhost:5000";

    public static void AddTenantBillingOperations(this WebApplicationBuilder builder)
    {
        builder.AddTenantBillingTelemetry(ServiceName);
        var services = builder.Services;
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, OperatorKeyHandler>(OperatorKeyHandler.SchemeName, null);
        services.AddAuthorization(o => o.AddPolicy(OperatorPolicy, policy => policy
            .AddAuthenticationSchemes(OperatorKeyHandler.SchemeName)
            .RequireRole(BearerKeyHandler.OperatorRole)));
        services.AddHealthChecks().AddCheck<ShutdownHealthCheck>("shutdown", tags: [HealthTags.Ready]);

        if (ManagementSettings.From(builder.Configuration).Url is { } managementUrl)
        {
            var port = ManagementSettings.PortOf(managementUrl);
            builder.WebHost.UseUrls([.. PublicUrls(builder.Configuration), managementUrl]);
            services.AddSingleton<MatcherPolicy>(new ManagementPortPolicy(port));
        }
    }

    public static void MapTenantBillingOperations(this WebApplication app)
    {
        var onManagementPort = ManagementSettings.From(app.Configuration).Url is not null;

        var metrics = app.MapPrometheusScrapingEndpoint(MetricsPath);
        if (onManagementPort)
        {
            // The management port is the boundary: Prometheus scrapes it without a key, as it does the silos'.
            metrics.WithMetadata(new ManagementEndpointAttribute());
            app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithMetadata(new ManagementEndpointAttribute());
            app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(HealthTags.Ready) }).WithMetadata(new ManagementEndpointAttribute());
        }
        else
        {
            metrics.RequireAuthorization(OperatorPolicy);
        }

        var dashboard = app.Configuration.DashboardSettings();
        if (dashboard.Enabled)
        {
            var routes = app.MapOrleansDashboard(DashboardPath).RequireAuthorization(OperatorPolicy).ExcludeFromDescription();
            if (onManagementPort)
            {
                routes.WithMetadata(new ManagementEndpointAttribute());
            }

            if (!dashboard.GrainState)
            {
                routes.AddEndpointFilter(RefuseGrainState);
            }
        }
    }

    /// <summary>The dashboard's view of a grain's stored state shows tenants' personal data: off unless <c>Dashboard:GrainState</c>.</summary>
    private static async ValueTask<object?> RefuseGrainState(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } pattern } && pattern.EndsWith("/GrainState", StringComparison.Ordinal)
            ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Grain state is not shown (Dashboard:GrainState is off).")
            : await next(context);

    /// <summary>The public listeners Kestrel would have used had the management URL not been added.</summary>
    private static IEnumerable<string> PublicUrls(ConfigurationManager configuration)
    {
        if (configuration["urls"] is { Length: > 0 } urls)
        {
            return urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }

        return configuration["http_ports"] is { Length: > 0 } ports
            ? ports.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(p => $"http://*:{p}")
            : [DefaultPublicUrl];
    }
}
