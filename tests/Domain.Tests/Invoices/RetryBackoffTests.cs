using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Stripe;

namespace TenantBilling.Domain.Tests.Invoices;

public sealed class RetryBackoffTests
{
    [Theory]
    [InlineData(1, 500)]
    [InlineData(2, 1000)]
    [InlineData(4, 4000)]
    [InlineData(5, 8000)]
    [InlineData(20, 8000)]
    public void Waits_double_from_the_first_to_at_most_eight_seconds(int attempt, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryBackoff.Delay(attempt, TimeSpan.FromMilliseconds(500)));

    [Theory]
    [InlineData(StripeFailureKind.RateLimited, true)]
    [InlineData(StripeFailureKind.KeyInUse, true)]
    [InlineData(StripeFailureKind.ServerError, false)]
    [InlineData(StripeFailureKind.Unknown, false)]
    public void Only_a_429_or_a_key_in_use_is_waited_out_without_spending_the_steps_attempts(StripeFailureKind kind, bool waitedOut) =>
        Assert.Equal(waitedOut, RetryBackoff.WaitedOut(kind));

    [Theory]
    [InlineData(1, 500)]
    [InlineData(3, 2000)]
    [InlineData(19, 2000)]
    public void A_429_waits_at_most_four_times_the_first_delay(int wait, int expectedMs) =>
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), RetryBackoff.RateLimitDelay(wait, TimeSpan.FromMilliseconds(500)));
}
