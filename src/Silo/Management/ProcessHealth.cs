using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Silo.Management;

/// <summary>The tags that put a check behind a probe: <c>/health/startup</c> and <c>/health/ready</c>. Liveness runs no check.</summary>
public static class HealthTags
{
    public const string Startup = "startup";
    public const string Ready = "ready";
}

/// <summary>Unhealthy from the moment the host starts shutting down, so the orchestrator stops sending work before the silo leaves.</summary>
public sealed class ShutdownHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(lifetime.ApplicationStopping.IsCancellationRequested
            ? HealthCheckResult.Unhealthy("Shutting down.")
            : HealthCheckResult.Healthy());
}

/// <summary>
/// Started: the silo has joined the cluster once (it stays started). Ready: it is an active member now.
/// Both read the silo's own view of itself, with no call to the database or to other silos.
/// </summary>
public sealed class SiloStatusHealthCheck(ISiloStatusOracle silo, bool requireActiveNow) : IHealthCheck
{
    private volatile bool _started;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = silo.CurrentStatus;
        _started |= status == SiloStatus.Active;
        var healthy = requireActiveNow ? status == SiloStatus.Active : _started;
        return Task.FromResult(healthy ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"The silo is {status}."));
    }
}

/// <summary>The cluster answers a grain call and that grain reads its state from storage (PostgreSQL).</summary>
public sealed class GrainStorageHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await grains.GetGrain<IHealthGrain>("probe").CheckStorageAsync().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The cluster or its storage did not answer.", exception);
        }
    }
}
