using TenantBilling.Grains.Domain.Stripe;

namespace TenantBilling.Domain.Tests.Stripe;

/// <summary>How a failed Stripe request is classified from what Stripe answered.</summary>
public sealed class StripeFailuresTests
{
    [Theory]
    [InlineData(null, null, null, StripeFailureKind.Unknown)]
    [InlineData(0, null, null, StripeFailureKind.Unknown)]
    [InlineData(429, "rate_limit", null, StripeFailureKind.RateLimited)]
    [InlineData(409, "idempotency_key_in_use", null, StripeFailureKind.KeyInUse)]
    [InlineData(500, null, null, StripeFailureKind.ServerError)]
    [InlineData(503, null, null, StripeFailureKind.ServerError)]
    [InlineData(402, "card_declined", null, StripeFailureKind.CardDeclined)]
    [InlineData(400, "resource_missing", "customer", StripeFailureKind.CustomerMissing)]
    [InlineData(404, "resource_missing", "id", StripeFailureKind.Permanent)]
    [InlineData(400, "idempotency_error", null, StripeFailureKind.Permanent)]
    [InlineData(401, null, null, StripeFailureKind.Permanent)]
    public void Each_answer_has_its_kind(int? status, string? code, string? param, StripeFailureKind expected) =>
        Assert.Equal(expected, StripeFailures.Classify(status, code, param));

    [Theory]
    [InlineData(StripeFailureKind.Unknown, true, true, false)]
    [InlineData(StripeFailureKind.ServerError, true, true, true)]
    [InlineData(StripeFailureKind.RateLimited, false, true, false)]
    [InlineData(StripeFailureKind.KeyInUse, false, true, false)]
    [InlineData(StripeFailureKind.CardDeclined, false, false, false)]
    [InlineData(StripeFailureKind.Permanent, false, false, false)]
    public void Each_kind_says_whether_Stripe_must_be_read_whether_to_try_again_and_whether_the_key_is_spent(StripeFailureKind kind, bool unknown, bool transient, bool spendsKey) =>
        Assert.Equal((unknown, transient, spendsKey), (StripeFailures.OutcomeUnknown(kind), StripeFailures.Transient(kind), StripeIdempotencyKeys.SpendsKey(kind)));
}
