using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;

namespace TenantBilling.Domain.Tests.Stripe;

public sealed class StripeIdempotencyKeysTests
{
    [Theory]
    [InlineData(0, 0, null, "a/t/2026-10:create")]
    [InlineData(0, 1, null, "a/t/2026-10:create:0.1")]
    [InlineData(2, 0, null, "a/t/2026-10:create:2.0")]
    [InlineData(1, 3, "0123456789ab", "a/t/2026-10:create:1.3:0123456789ab")]
    [InlineData(0, 0, "0123456789ab", "a/t/2026-10:create:0123456789ab")]
    public void A_key_names_the_invoice_the_step_the_round_and_attempt_and_the_body(int round, int attempt, string? fingerprint, string key) =>
        Assert.Equal(key, StripeIdempotencyKeys.For("a/t/2026-10", "create", round, attempt, fingerprint));

    [Fact]
    public void The_same_body_gives_the_same_fingerprint_and_any_change_another()
    {
        var same = StripeIdempotencyKeys.Fingerprint("cus_1", true, 30);

        Assert.Equal(same, StripeIdempotencyKeys.Fingerprint("cus_1", true, 30));
        Assert.NotEqual(same, StripeIdempotencyKeys.Fingerprint("cus_1", true, 14));
        Assert.NotEqual(same, StripeIdempotencyKeys.Fingerprint("cus_2", true, 30));
        Assert.NotEqual(StripeIdempotencyKeys.Fingerprint("ab", "c"), StripeIdempotencyKeys.Fingerprint("a", "bc"));
        Assert.Matches("^[0-9a-f]{12}$", same);
    }

    [Theory]
    [InlineData(StripeFailureKind.ServerError, true)]     // Stripe replays the 500 for the key
    [InlineData(StripeFailureKind.Unknown, false)]        // no answer: the same key lets Stripe say whether it ran
    [InlineData(StripeFailureKind.RateLimited, false)]    // nothing was saved
    [InlineData(StripeFailureKind.KeyInUse, false)]
    [InlineData(StripeFailureKind.Permanent, false)]
    public void Only_a_5xx_spends_a_key(StripeFailureKind kind, bool spends) => Assert.Equal(spends, StripeIdempotencyKeys.SpendsKey(kind));

    [Fact]
    public void The_longest_invoice_key_still_fits_stripes_key_limit()
    {
        var invoiceKey = $"{new string('a', 64)}/{new string('t', 64)}/once-{new string('r', 64)}";

        var key = StripeIdempotencyKeys.For(invoiceKey, "send-by-email", 999, 999, StripeIdempotencyKeys.Fingerprint(30));

        Assert.True(key.Length <= StripeIdempotencyKeys.MaxLength, $"{key.Length} characters");
    }
}
