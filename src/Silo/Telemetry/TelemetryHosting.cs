using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Memory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Orleans.Dashboard;
using Orleans.Diagnostics;
using TenantBilling.Grains.Telemetry;

namespace TenantBilling.Silo.Telemetry;

/// <summary>
/// OpenTelemetry and logging for every process of the product (the API and the silo): Orleans' meter and
/// activity sources, ASP.NET Core, HttpClient (Stripe) and runtime instrumentation, our own meter; the
/// Prometheus exporter behind /metrics; OTLP export when <see cref="TelemetrySettings.OtlpEndpointSetting"/>
/// is set; the start-up log noise tamed. docs/operations.md lists every signal and setting.
/// </summary>
public static class TelemetryHosting
{
    public const string OrleansMeter = "Microsoft.Orleans";

    /// <summary>Defaults that configuration overrides: Orleans' option dumps (a page per start) are debug detail.</summary>
    private static readonly Dictionary<string, string?> LogDefaults = new(StringComparer.Ordinal)
    {
        ["Logging:LogLevel:Orleans.Runtime.SiloOptionsLogger"] = "Warning",
        ["Logging:LogLevel:Orleans.ClientOptionsLogger"] = "Warning",
        // A 401 to a probe or a browser before it signs in is not news.
        ["Logging:LogLevel:TenantBilling.Api.Operations.OperatorKeyHandler"] = "Warning",
    };

    public static IHostApplicationBuilder AddTenantBillingTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        var configuration = builder.Configuration;
        if (configuration is IConfigurationBuilder sources)
        {
            sources.Sources.Insert(0, new MemoryConfigurationSource { InitialData = LogDefaults });
        }

        builder.Services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp =>
            new StartupNoiseFilter(ActivatorUtilities.CreateInstance<LoggerFactory>(sp), TimeProvider.System)));

        var settings = configuration.GetSection(TelemetrySettings.Section).Get<TelemetrySettings>() ?? new TelemetrySettings();
        var otel = builder.Services.AddOpenTelemetry();
        if (string.IsNullOrEmpty(configuration["OTEL_SERVICE_NAME"]))
        {
            otel.ConfigureResource(resource => resource.AddService(serviceName));
        }

        otel.WithMetrics(metrics => metrics
            .AddMeter(OrleansMeter, BillingMetrics.MeterName)
            .AddAspNetCoreInstrumentation()
            .AddHttpClientInstrumentation()
            .AddRuntimeInstrumentation()
            .AddPrometheusExporter());

        // Sources and instrumentation always; the tracer provider itself only when something exports
        // (OTLP here, an in-memory exporter in tests), so an untraced process pays nothing for spans.
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing =>
        {
            tracing
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(settings.TraceSampleRatio)))
                .AddSource(ActivitySources.ApplicationGrainActivitySourceName, ActivitySources.StorageActivitySourceName, ActivitySources.LifecycleActivitySourceName)
                .AddSource(TracedTimerRegistry.SourceName)
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !IsOperationsPath(http.Request.Path))
                .AddHttpClientInstrumentation();
            if (settings.OrleansRuntimeTraces)
            {
                tracing.AddSource(ActivitySources.RuntimeActivitySourceName);
            }
        });

        if (!string.IsNullOrEmpty(configuration[TelemetrySettings.OtlpEndpointSetting]))
        {
            otel.WithTracing(_ => { }).UseOtlpExporter();
        }

        return builder;
    }

    /// <summary>
    /// Orleans' activity propagation (an HTTP request's trace continues into grain calls) when this process
    /// collects traces (<see cref="TelemetryConfiguration.TracesEnabled"/>), and the dashboard's collection
    /// when the dashboard is on, its method profiler only when <see cref="DashboardSettings.MethodProfiler"/>:
    /// each of the three is a filter on every grain call, so none runs unless asked for.
    /// </summary>
    public static ISiloBuilder AddTenantBillingSiloTelemetry(this ISiloBuilder silo, IConfiguration configuration)
    {
        if (configuration.TracesEnabled())
        {
            silo.AddActivityPropagation();
        }

        var dashboard = configuration.DashboardSettings();
        if (dashboard.Enabled)
        {
            silo.AddDashboard(o => o.HideTrace = !dashboard.LiveLogs);
            if (!dashboard.MethodProfiler)
            {
                foreach (var profiler in silo.Services.Where(IsDashboardMethodProfiler).ToList())
                {
                    silo.Services.Remove(profiler);
                }
            }
        }

        return silo;
    }

    /// <summary>
    /// The dashboard's grain call filter (<see cref="DashboardSettings.MethodProfiler"/>), found by its type's name:
    /// the dashboard keeps it internal. <c>DashboardHostingTests</c> fails if a new version renames it.
    /// </summary>
    public static bool IsDashboardMethodProfiler(ServiceDescriptor service) =>
        service.ServiceType == typeof(IIncomingGrainCallFilter)
        && !service.IsKeyedService
        && service.ImplementationType?.FullName == DashboardMethodProfilerType;

    public const string DashboardMethodProfilerType = "Orleans.Dashboard.Implementation.GrainProfilerFilter";

    /// <summary>The same for an Orleans client (the API in front of separate silos).</summary>
    public static IClientBuilder AddTenantBillingClientTelemetry(this IClientBuilder client, IConfiguration configuration)
    {
        if (configuration.TracesEnabled())
        {
            client.AddActivityPropagation();
        }

        var dashboard = configuration.DashboardSettings();
        if (dashboard.Enabled)
        {
            client.AddDashboard(o => o.HideTrace = !dashboard.LiveLogs);
        }

        return client;
    }

    public static DashboardSettings DashboardSettings(this IConfiguration configuration) =>
        configuration.GetSection(Telemetry.DashboardSettings.Section).Get<DashboardSettings>() ?? new DashboardSettings();

    /// <summary>Probes and scrapes: not worth a trace each.</summary>
    private static bool IsOperationsPath(PathString path) =>
        path.StartsWithSegments("/health", StringComparison.Ordinal) || path.StartsWithSegments("/metrics", StringComparison.Ordinal);
}
