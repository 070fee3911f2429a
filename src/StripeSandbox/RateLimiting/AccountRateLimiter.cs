using System.Collections.Concurrent;

namespace TenantBilling.StripeSandbox.RateLimiting;

/// <summary>
/// One token bucket per account: capacity <see cref="RateLimit.Burst"/>, refilled continuously at
/// <see cref="RateLimit.RequestsPerSecond"/> by the fake's <see cref="TimeProvider"/> (so a fake clock makes
/// it deterministic). A request takes one token or is refused. Accounts without their own limit use the default.
/// </summary>
internal sealed class AccountRateLimiter(TimeProvider time, RateLimit? defaultLimit)
{
    private readonly ConcurrentDictionary<string, Bucket?> buckets = new(StringComparer.Ordinal);

    /// <summary>Gives an account its own limit (null: unlimited), with a full bucket.</summary>
    public void Set(string account, RateLimit? limit) =>
        this.buckets[account] = limit is null ? null : new Bucket(limit, time.GetUtcNow());

    public bool TryAcquire(string account)
    {
        var bucket = this.buckets.GetOrAdd(account, static (_, s) => s.defaultLimit is null ? null : new Bucket(s.defaultLimit, s.time.GetUtcNow()), (defaultLimit, time));
        return bucket is null || bucket.TryTake(time.GetUtcNow());
    }

    private sealed class Bucket(RateLimit limit, DateTimeOffset now)
    {
        private readonly Lock gate = new();
        private double tokens = limit.Burst;
        private DateTimeOffset refilledAt = now;

        public bool TryTake(DateTimeOffset now)
        {
            lock (this.gate)
            {
                if (now > this.refilledAt)
                {
                    this.tokens = Math.Min(limit.Burst, this.tokens + ((now - this.refilledAt).TotalSeconds * limit.RequestsPerSecond));
                    this.refilledAt = now;
                }

                if (this.tokens < 1)
                {
                    return false;
                }

                this.tokens -= 1;
                return true;
            }
        }
    }
}
