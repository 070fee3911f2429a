namespace TenantBilling.Grains.Interfaces.Models;

public enum ProductKind
{
    /// <summary>Measured during the month.</summary>
    Usage,
    /// <summary>A count held at month end, billed in full (never pro-rated).</summary>
    Inventory,
}

public sealed record Product(string Code, string Name, string Unit, ProductKind Kind, TaxCategory TaxCategory);

/// <summary>
/// The billable products the carrier reports on a statement. A new product is one line here.
/// </summary>
public static class ProductCatalog
{
    public static readonly IReadOnlyList<Product> All =
    [
        new("sip_channels", "SIP trunk channels", "channel", ProductKind.Usage, TaxCategory.VoipChannels),
        new("minutes_inbound", "Inbound minutes", "minute", ProductKind.Usage, TaxCategory.VoipUsage),
        new("minutes_inbound_toll_free", "Inbound toll-free minutes", "minute", ProductKind.Usage, TaxCategory.VoipUsage),
        new("minutes_outbound", "Outbound minutes", "minute", ProductKind.Usage, TaxCategory.VoipUsage),
        new("minutes_international", "International outbound minutes", "minute", ProductKind.Usage, TaxCategory.VoipUsage),
        new("minutes_short_duration", "Short-duration outbound minutes", "minute", ProductKind.Usage, TaxCategory.VoipUsage),
        new("local_numbers", "Local numbers", "number", ProductKind.Inventory, TaxCategory.PhoneNumbers),
        new("toll_free_numbers", "Toll-free numbers", "number", ProductKind.Inventory, TaxCategory.PhoneNumbers),
    ];

    private static readonly Dictionary<string, Product> ByCode = All.ToDictionary(p => p.Code, StringComparer.Ordinal);

    public static bool TryGet(string? code, out Product product) =>
        ByCode.TryGetValue(code ?? string.Empty, out product!);

    public static bool IsKnown(string? code) => code is not null && ByCode.ContainsKey(code);

    /// <summary>The message for a code not in the catalogue: it lists the valid ones.</summary>
    public static string UnknownCodeMessage { get; } = $"Unknown product code. Known: {string.Join(", ", All.Select(p => p.Code))}.";

    public static Product Get(string code) =>
        ByCode.TryGetValue(code, out var product) ? product : throw new KeyNotFoundException($"Unknown product code '{code}'.");
}
