using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Stripe;

/// <summary>
/// Hands out request slots evenly spaced at the account's rate. One activation per account holds the
/// schedule for the whole cluster; callers wait for their slot, so they are never early. After a
/// move to another silo the schedule starts afresh, which Stripe's short burst allowance absorbs.
/// </summary>
[GrainType("stripe-pacer")]
public sealed class StripePacerGrain(TimeProvider clock) : Grain, IStripePacerGrain
{
    private DateTimeOffset _nextFree = DateTimeOffset.MinValue;

    public Task<TimeSpan[]> ReserveAsync(int requests, int requestsPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(requestsPerSecond, 1);
        var now = clock.GetUtcNow();
        var interval = TimeSpan.FromSeconds(1.0 / requestsPerSecond);
        var start = _nextFree > now ? _nextFree : now;
        var waits = new TimeSpan[requests];
        for (var i = 0; i < requests; i++)
        {
            waits[i] = start + (interval * i) - now;
        }

        _nextFree = start + (interval * requests);
        return Task.FromResult(waits);
    }
}
