using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Taxes;

/// <summary>One validated row of a rate table.</summary>
/// <param name="SourceLine">The line of the table file it came from, for audit and error messages.</param>
/// <param name="Level">Federal or state.</param>
/// <param name="JurisdictionCode">"US" or a USPS state code.</param>
/// <param name="Code">The tax code.</param>
/// <param name="Name">The table's own description, with its caveats.</param>
/// <param name="Basis">The basis as written in the table.</param>
/// <param name="BasisKind">How the figure applies.</param>
/// <param name="Rate">A fraction (0.376 = 37.6%), when the basis is a percentage.</param>
/// <param name="AmountPerUnit">USD per unit, when the basis is per line.</param>
/// <param name="AppliesTo">The services covered, or the finding of a taxability row.</param>
/// <param name="SalesTaxable">For a taxability row: whether sales tax applies to VoIP.</param>
/// <param name="EffectiveFrom">First date in force; null for an undated reference row, never in force.</param>
/// <param name="SourceUrl">Where the figure was read.</param>
public sealed record TaxRateRow(
    int SourceLine,
    TaxLevel Level,
    string JurisdictionCode,
    TaxTableCode Code,
    string Name,
    string Basis,
    TaxRowBasis BasisKind,
    decimal? Rate,
    decimal? AmountPerUnit,
    string AppliesTo,
    bool? SalesTaxable,
    DateOnly? EffectiveFrom,
    string SourceUrl)
{
    /// <summary>The tax code as written in the table, kept so the hot path allocates no strings.</summary>
    public string CodeText { get; } = TaxTableCodes.ToCode(Code);

    /// <summary>The name shown on an invoice.</summary>
    public string InvoiceName { get; } = TaxTableCodes.InvoiceName(Code, JurisdictionCode);

    public TaxClass Class { get; } = TaxTableCodes.ClassOf(Code);
}
