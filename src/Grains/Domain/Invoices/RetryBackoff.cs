using TenantBilling.Grains.Domain.Stripe;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// Waits between quick retries of one Stripe request: <c>first</c> (0.5 s by default) doubling to at most 8 s.
/// A step gets <see cref="QuickAttempts"/> quick attempts before it waits for the retry interval; a 429 or a
/// key still in use did nothing and only says "later", so those are waited out on their own budget
/// (<see cref="RateLimitWaits"/> waits of at most four times the first delay, counted per step) and never spend the step's attempts.
/// </summary>
public static class RetryBackoff
{
    public const int QuickAttempts = 5;

    public const int RateLimitWaits = 20;

    /// <summary>Whether a failure of <paramref name="kind"/> is waited out apart from the step's quick attempts.</summary>
    public static bool WaitedOut(StripeFailureKind kind) => kind is StripeFailureKind.RateLimited or StripeFailureKind.KeyInUse;

    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(8);

    /// <summary>A 429's wait: as <see cref="Delay"/>, but at most four times the first (Stripe's limits free up within a second).</summary>
    public static TimeSpan RateLimitDelay(int wait, TimeSpan first) => Delay(Math.Min(wait, 3), first);

    public static TimeSpan Delay(int attempt, TimeSpan first) =>
        TimeSpan.FromTicks((long)Math.Min(first.Ticks * Math.Pow(2, Math.Max(0, attempt - 1)), Longest.Ticks));
}
