namespace TenantBilling.StripeSandbox.State;

/// <summary>What each test card looks like and how it answers a charge.</summary>
internal static class FakeCards
{
    /// <summary>Stripe's test-mode payment method ids that stand for a fresh card of each kind.</summary>
    private static readonly Dictionary<string, FakeCard> MagicIds = new(StringComparer.Ordinal)
    {
        ["pm_card_visa"] = FakeCard.Visa,
        ["pm_card_chargeDeclined"] = FakeCard.Declined,
        ["pm_card_chargeDeclinedInsufficientFunds"] = FakeCard.InsufficientFunds,
    };

    public static bool TryMagic(string id, out FakeCard card) => MagicIds.TryGetValue(id, out card);

    public static (string Brand, string Last4) Describe(FakeCard card) => card switch
    {
        FakeCard.Visa => ("visa", "4242"),
        FakeCard.Declined => ("visa", "0002"),
        FakeCard.InsufficientFunds => ("visa", "9995"),
        _ => throw new ArgumentOutOfRangeException(nameof(card)),
    };

    /// <summary>The decline code a charge on this card gets, or null when it succeeds.</summary>
    public static string? DeclineCode(FakeCard card) => card switch
    {
        FakeCard.Visa => null,
        FakeCard.Declined => "generic_decline",
        FakeCard.InsufficientFunds => "insufficient_funds",
        _ => throw new ArgumentOutOfRangeException(nameof(card)),
    };
}
