namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>
/// How an interactive request (someone waits for its answer: a correction, a connection check) gets the account's
/// Stripe slots while billing runs have booked the account's pace far ahead (<see cref="StripeRequestCalendar"/>).
/// <list type="bullet">
/// <item>One slot in every <see cref="KeptEvery"/> is kept for interactive requests: one a second at 10 requests a
/// second and more (4% of the pace at 25, 1% at 100), one in ten below. Runs never book it; at worst a run loses
/// that share of the pace while it is booked ahead, never more.</item>
/// <item>An interactive request's slots (all of them, booked at once) are at most <see cref="Within"/> away, or it
/// books nothing and is answered 503 with Retry-After (<see cref="RetryAfter"/>), nothing sent, nothing changed.
/// <see cref="Within"/> leaves 2 s of the API's 5 s call timeout for Stripe to answer.</item>
/// </list>
/// </summary>
public static class StripeInteractiveRule
{
    /// <summary>The longest an interactive request waits for its slots, inside the grain call it came with.</summary>
    public static readonly TimeSpan Within = TimeSpan.FromSeconds(3);

    /// <summary>Every this many slots of an account's calendar, one is kept for interactive requests.</summary>
    public static int KeptEvery(int requestsPerSecond) => Math.Max(10, requestsPerSecond);

    /// <summary>
    /// What Retry-After says when the slots an interactive request would get end at <paramref name="lastSlot"/>, past
    /// the bound: the whole seconds until they would be within it, at least one.
    /// </summary>
    public static TimeSpan RetryAfter(DateTimeOffset now, DateTimeOffset lastSlot)
    {
        var seconds = Math.Ceiling((lastSlot - now - Within).TotalSeconds);
        return TimeSpan.FromSeconds(Math.Max(1, seconds));
    }
}
