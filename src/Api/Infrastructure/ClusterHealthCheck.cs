using Microsoft.Extensions.Diagnostics.HealthChecks;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Infrastructure;

/// <summary>
/// Ready when this process is connected to the cluster (<see cref="ClusterConnection"/>), a grain call
/// reaches it and that grain can read from storage.
/// </summary>
public sealed class ClusterHealthCheck(IGrainFactory grains, ClusterConnection connection) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!connection.IsOpen)
        {
            return HealthCheckResult.Unhealthy("Not connected to the cluster yet (no gateway has answered).");
        }

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
