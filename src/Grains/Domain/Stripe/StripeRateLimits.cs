namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>
/// Stripe's request rate limits, per Stripe account: a global limit on all its requests (25 a second in test
/// mode and sandboxes, 100 in live mode) and a default limit of 25 a second on each endpoint (one method and
/// path template), live mode included. An account's <c>stripeRequestsPerSecond</c> is the global rate we keep
/// to; the endpoint rate is kept to as well (<see cref="StripeRequestCalendar"/>).
/// </summary>
public static class StripeRateLimits
{
    public const int TestModePerSecond = 25;

    public const int LiveModePerSecond = 100;

    public const int EndpointPerSecond = 25;
}
