namespace TenantBilling.Grains.Integrations.Taxes;

/// <summary>Which rate table the built-in tax provider uses.</summary>
public sealed record TaxTableOptions
{
    /// <summary>The configuration section these options are bound from.</summary>
    public const string SectionName = "Taxes:RateTable";

    /// <summary>
    /// Path of a replacement table file in the same CSV format; when empty, the table embedded in the
    /// product is used. Read once at start-up: a malformed file stops the start.
    /// </summary>
    public string? TablePath { get; init; }
}
