using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TenantBilling.Silo.Hosting;

/// <summary>
/// How long a silo's graceful stop (SIGTERM, Ctrl+C, an orchestrator's stop) may take (configuration
/// section "Shutdown"). docs/cluster.md says what happens in it and what was measured.
/// </summary>
public sealed class ShutdownSettings
{
    public const string Section = "Shutdown";

    /// <summary>
    /// The host's shutdown timeout: the process has exited by then. Below Kubernetes' default grace period
    /// (30 s) with room to spare; the manifests and units in deploy/ give 60 s. .NET's default would be 30 s.
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The part of <see cref="Timeout"/> that grains busy with a request or a timer tick (an invoice in the
    /// middle of its Stripe steps) may use to finish it; then the silo leaves the cluster anyway, and what
    /// is unfinished resumes elsewhere from its last stored step. The rest of the timeout is for leaving
    /// (measured: about a second). A Stripe request takes well under a second; during a billing run the
    /// account's request pace keeps invoices busy for as long as the run lasts, so waiting longer would
    /// not leave less unfinished, only slow a rolling restart down.
    /// </summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public static ShutdownSettings From(IConfiguration configuration)
    {
        var settings = configuration.GetSection(Section).Get<ShutdownSettings>() ?? new ShutdownSettings();
        if (settings.DrainTimeout <= TimeSpan.Zero || settings.Timeout <= settings.DrainTimeout)
        {
            throw new InvalidOperationException(
                $"Shutdown:DrainTimeout ({settings.DrainTimeout}) must be positive and below Shutdown:Timeout ({settings.Timeout}), which leaves time to leave the cluster.");
        }

        return settings;
    }
}

/// <summary>
/// A silo's graceful stop, in order:
/// <list type="number">
/// <item>Readiness turns false at once (the host's stopping signal, <c>ShutdownHealthCheck</c>), while liveness stays true.</item>
/// <item>The silo leaves the cluster, before any other part of the process stops, so its management port keeps answering
/// (ready 503, live 200) until it has left: Orleans tells its clients to stop sending through its gateway, marks itself
/// ShuttingDown (no new grains are placed on it), then deactivates every grain. A grain in the middle of a request or
/// a timer tick finishes it first: an invoice finishes the Stripe steps it is running, each stored before the next.</item>
/// <item>After <see cref="ShutdownSettings.DrainTimeout"/> the silo stops waiting for busy grains and leaves anyway
/// (its membership row says Dead, so nobody waits for probes to fail).</item>
/// <item>The management port and the rest of the host stop; the process exits, within <see cref="ShutdownSettings.Timeout"/>.</item>
/// </list>
/// Correctness never depends on this: after <c>kill -9</c> every invoice resumes from its stored step too.
/// </summary>
public static class SiloShutdown
{
    public static WebApplicationBuilder AddSiloShutdown(this WebApplicationBuilder builder)
    {
        var settings = ShutdownSettings.From(builder.Configuration);
        builder.Services.AddSingleton(Options.Create(settings));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = settings.Timeout);
        builder.Services.AddHostedService<SiloShutdownService>();
        return builder;
    }
}

/// <summary>Stops the silo in the host's stopping phase, before any hosted service (the management listener included) stops.</summary>
internal sealed partial class SiloShutdownService(
    Orleans.Runtime.Silo silo,
    ISiloStatusOracle status,
    IOptions<ShutdownSettings> settings,
    TimeProvider time,
    ILogger<SiloShutdownService> logger) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        if (status.CurrentStatus != SiloStatus.Active)
        {
            // Stopped while starting (or already leaving): Orleans' own hosted service stops it.
            return;
        }

        var drain = settings.Value.DrainTimeout;
        LogLeaving(logger, drain.TotalSeconds);
        var started = time.GetTimestamp();
        using var drainEnds = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drainEnds.CancelAfter(drain);
        try
        {
            await silo.StopAsync(drainEnds.Token);
        }
        catch (OperationCanceledException)
        {
            // Orleans goes on leaving when its token is cancelled; nothing more to wait for here.
        }

        var took = time.GetElapsedTime(started).TotalSeconds;
        if (drainEnds.IsCancellationRequested)
        {
            LogLeftAfterDrain(logger, drain.TotalSeconds, took);
        }
        else
        {
            LogLeft(logger, took);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Shutting down: readiness is false; leaving the cluster (grains busy with a request may finish it for up to {DrainSeconds:0} s)")]
    private static partial void LogLeaving(ILogger logger, double drainSeconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Left the cluster gracefully after {Seconds:0.0} s: every grain finished its work and was deactivated")]
    private static partial void LogLeft(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Left the cluster after {Seconds:0.0} s without waiting longer for grains still busy after {DrainSeconds:0} s; their work resumes elsewhere from its last stored step")]
    private static partial void LogLeftAfterDrain(ILogger logger, double drainSeconds, double seconds);
}
