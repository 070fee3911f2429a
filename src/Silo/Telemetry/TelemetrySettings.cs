using Microsoft.Extensions.Configuration;

namespace TenantBilling.Silo.Telemetry;

/// <summary>
/// What leaves the process (configuration section "Telemetry"). OTLP export itself is configured with
/// OpenTelemetry's standard settings (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, <c>OTEL_EXPORTER_OTLP_PROTOCOL</c>,
/// <c>OTEL_EXPORTER_OTLP_HEADERS</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>).
/// </summary>
public sealed class TelemetrySettings
{
    public const string Section = "Telemetry";

    /// <summary>The standard setting whose presence turns OTLP export (traces, metrics, logs) on.</summary>
    public const string OtlpEndpointSetting = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Share of new traces kept (0–1); a trace started elsewhere follows its caller's decision.</summary>
    public double TraceSampleRatio { get; set; } = 1.0;

    /// <summary>
    /// Collect traces (and carry each trace across grain calls) for an exporter other than OTLP, e.g. one
    /// added in code. OTLP export (<see cref="OtlpEndpointSetting"/>) turns it on by itself.
    /// </summary>
    public bool Traces { get; set; }

    /// <summary>Also trace Orleans' own runtime calls (membership probes, directory, reminders): many small root spans.</summary>
    public bool OrleansRuntimeTraces { get; set; }
}

public static class TelemetryConfiguration
{
    /// <summary>
    /// Whether this process collects traces: OTLP export is configured or <see cref="TelemetrySettings.Traces"/> is on.
    /// Off, nothing that only serves traces runs per grain call (Orleans' activity propagation is not added).
    /// </summary>
    public static bool TracesEnabled(this IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[TelemetrySettings.OtlpEndpointSetting])
        || (configuration.GetSection(TelemetrySettings.Section).Get<TelemetrySettings>()?.Traces ?? false);
}

/// <summary>The Orleans dashboard (configuration section "Dashboard").</summary>
public sealed class DashboardSettings
{
    public const string Section = "Dashboard";

    /// <summary>Silos collect the dashboard's statistics and the API serves it at /dashboard (operator only).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Time every grain call for the dashboard's method views (calls, latency and errors per grain method). Off, the
    /// dashboard shows everything else and those views stay empty; its filter is then not on the call path at all.
    /// </summary>
    public bool MethodProfiler { get; set; }

    /// <summary>Stream the process's live log lines to the dashboard.</summary>
    public bool LiveLogs { get; set; }

    /// <summary>Let the dashboard show a grain's stored state (tenants' names and addresses among it).</summary>
    public bool GrainState { get; set; }
}
