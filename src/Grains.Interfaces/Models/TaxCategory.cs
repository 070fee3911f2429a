namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>
/// How a billed item is taxed. Every product, recurring item and one-time item carries one.
/// The wire names (snake_case) are listed in <see cref="TaxCategories"/>.
/// </summary>
[GenerateSerializer, Alias("tax-category")]
public enum TaxCategory
{
    /// <summary>Metered VoIP minutes.</summary>
    VoipUsage = 0,
    /// <summary>SIP trunk channels (voice paths): each one is a line for per-line fees.</summary>
    VoipChannels = 1,
    /// <summary>Hosted PBX seats: each one is a line for per-line fees.</summary>
    VoipSeats = 2,
    /// <summary>Telephone numbers (local, toll-free) held in inventory.</summary>
    PhoneNumbers = 3,
    /// <summary>Other recurring telecom services (voicemail boxes, call recording, fax lines, ...).</summary>
    VoipService = 4,
    /// <summary>Not a telecom service (setup work, a support call, hardware): never taxed.</summary>
    NonTaxable = 5,
}

/// <summary>The single place that names tax categories on the wire and says which count as lines.</summary>
public static class TaxCategories
{
    private static readonly Dictionary<string, TaxCategory> ByCode = new(StringComparer.Ordinal)
    {
        ["voip_usage"] = TaxCategory.VoipUsage,
        ["voip_channels"] = TaxCategory.VoipChannels,
        ["voip_seats"] = TaxCategory.VoipSeats,
        ["phone_numbers"] = TaxCategory.PhoneNumbers,
        ["voip_service"] = TaxCategory.VoipService,
        ["non_taxable"] = TaxCategory.NonTaxable,
    };

    public static IReadOnlyCollection<string> Codes => ByCode.Keys;

    /// <summary>The message for a missing or unknown tax category: it lists the valid ones.</summary>
    public static string UnknownCodeMessage => $"A tax category, one of: {string.Join(", ", ByCode.Keys)}.";

    public static bool TryParse(string? code, out TaxCategory category) =>
        ByCode.TryGetValue(code ?? string.Empty, out category);

    public static string ToCode(TaxCategory category) =>
        ByCode.First(pair => pair.Value == category).Key;

    /// <summary>
    /// Whether the quantity of an item in this category counts as lines (voice paths) for taxes and
    /// fees charged per line, such as state 911 fees. Channels and seats do; minutes and numbers don't.
    /// </summary>
    public static bool CountsAsLines(TaxCategory category) =>
        category is TaxCategory.VoipChannels or TaxCategory.VoipSeats;

    /// <summary>Whether revenue in this category is a telecom service at all (taxable in principle).</summary>
    public static bool IsTelecom(TaxCategory category) => category != TaxCategory.NonTaxable;
}
