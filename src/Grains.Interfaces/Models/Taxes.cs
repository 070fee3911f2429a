namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>Whether a line is sold to the end user or bought by someone who resells it.</summary>
[GenerateSerializer, Alias("tax-sale-type")]
public enum TaxSaleType
{
    /// <summary>Sold to the end user: end-user taxes and fees apply.</summary>
    Retail = 0,
    /// <summary>Bought for resale: the reseller's own customers bear the end-user taxes.</summary>
    Resale = 1,
}

/// <summary>The kind of customer, which some jurisdictions tax differently.</summary>
[GenerateSerializer, Alias("tax-customer-type")]
public enum TaxCustomerType
{
    Business = 0,
    Residential = 1,
}

/// <summary>The level of government that levies a tax.</summary>
[GenerateSerializer, Alias("tax-level")]
public enum TaxLevel
{
    Federal = 0,
    State = 1,
    County = 2,
    Local = 3,
}

/// <summary>The exemption a tax falls under: a tenant exempt from the class pays none of its taxes.</summary>
[GenerateSerializer, Alias("tax-class")]
public enum TaxClass
{
    /// <summary>Federal charges: USF, TRS and other FCC charges.</summary>
    Federal = 0,
    /// <summary>State and local fees: 911, PUC, state service funds.</summary>
    StateLocal = 1,
    /// <summary>Sales and use taxes.</summary>
    Sales = 2,
}

/// <summary>The tax classes a tenant is exempt from.</summary>
[GenerateSerializer, Immutable, Alias("tax-exemptions")]
public sealed record TaxExemptions(
    [property: Id(0)] bool Federal,
    [property: Id(1)] bool StateLocal,
    [property: Id(2)] bool Sales)
{
    /// <summary>No exemption: every tax applies. A new value on every read (see <see cref="AddressStatus.NotValidated"/>).</summary>
    public static TaxExemptions None => new(false, false, false);

    /// <summary>Whether the tenant is exempt from taxes of <paramref name="taxClass"/>.</summary>
    public bool Covers(TaxClass taxClass) => taxClass switch
    {
        TaxClass.Federal => Federal,
        TaxClass.StateLocal => StateLocal,
        TaxClass.Sales => Sales,
        _ => false,
    };
}

/// <summary>One invoice line to be rated, described the way telecom tax engines expect it.</summary>
/// <param name="LineRef">The caller's reference for the invoice line; echoed on every tax line it causes.</param>
/// <param name="Category">How the line is taxed.</param>
/// <param name="Amount">The line's charge in USD, already rounded to cents.</param>
/// <param name="Lines">Number of lines (voice paths) the charge covers, for per-line fees; 0 when none.</param>
/// <param name="Minutes">Minutes the charge covers, for engines that tax per minute; 0 when none.</param>
/// <param name="SaleType">Retail or resale.</param>
/// <param name="CustomerType">Business or residential.</param>
[GenerateSerializer, Immutable, Alias("tax-request-line")]
public sealed record TaxRequestLine(
    [property: Id(0)] string LineRef,
    [property: Id(1)] TaxCategory Category,
    [property: Id(2)] decimal Amount,
    [property: Id(3)] decimal Lines,
    [property: Id(4)] decimal Minutes,
    [property: Id(5)] TaxSaleType SaleType,
    [property: Id(6)] TaxCustomerType CustomerType)
{
    /// <summary>
    /// Describes an invoice line of <paramref name="quantity"/> units: the quantity counts as lines when
    /// the category says so, and as minutes for metered usage.
    /// </summary>
    public static TaxRequestLine For(
        string lineRef,
        TaxCategory category,
        decimal quantity,
        decimal amount,
        TaxCustomerType customerType = TaxCustomerType.Business,
        TaxSaleType saleType = TaxSaleType.Retail) =>
        new(
            lineRef,
            category,
            amount,
            TaxCategories.CountsAsLines(category) ? quantity : 0m,
            category == TaxCategory.VoipUsage ? quantity : 0m,
            saleType,
            customerType);
}

/// <summary>An invoice to be rated: its lines, where the tenant is, what it is exempt from, and when.</summary>
/// <param name="DocumentCode">
/// The invoice's stable identity (e.g. its grain key). A provider that records transactions commits and
/// voids by it, so the same code must always mean the same invoice.
/// </param>
/// <param name="InvoiceDate">The date the invoice is sent (UTC); decides which rates are in force.</param>
/// <param name="Jurisdiction">The tenant's validated jurisdiction.</param>
/// <param name="Exemptions">The tenant's exemptions.</param>
/// <param name="Lines">The invoice lines.</param>
[GenerateSerializer, Immutable, Alias("tax-request")]
public sealed record TaxRequest(
    [property: Id(0)] string DocumentCode,
    [property: Id(1)] DateOnly InvoiceDate,
    [property: Id(2)] Jurisdiction Jurisdiction,
    [property: Id(3)] TaxExemptions Exemptions,
    [property: Id(4)] IReadOnlyList<TaxRequestLine> Lines);

/// <summary>One tax on one invoice line, rounded once to cents.</summary>
/// <param name="LineRef">The invoice line it was figured on.</param>
/// <param name="TaxCode">The tax's code, e.g. "FUSF", "E911_VOIP", "STATE_SALES".</param>
/// <param name="Name">A short name fit for an invoice.</param>
/// <param name="Level">Federal, state, county or local.</param>
/// <param name="Class">The exemption that would remove it.</param>
/// <param name="JurisdictionCode">"US", a USPS state code, or a county or local code.</param>
/// <param name="Rate">The fraction applied to <paramref name="TaxableAmount"/> (0.376 = 37.6%); null for a per-unit fee.</param>
/// <param name="AmountPerUnit">USD per unit for a per-unit fee; null for a rated tax.</param>
/// <param name="TaxableAmount">
/// The charge the tax was figured on, exact (not rounded): the interstate share for USF, the intrastate
/// share for a 911 percentage, the whole charge for sales tax and for per-line fees.
/// </param>
/// <param name="Units">The units a per-unit fee was charged on (lines); null for a rated tax.</param>
/// <param name="TaxAmount">The tax in USD, rounded once to cents.</param>
[GenerateSerializer, Immutable, Alias("tax-line")]
public sealed record TaxLine(
    [property: Id(0)] string LineRef,
    [property: Id(1)] string TaxCode,
    [property: Id(2)] string Name,
    [property: Id(3)] TaxLevel Level,
    [property: Id(4)] TaxClass Class,
    [property: Id(5)] string JurisdictionCode,
    [property: Id(6)] decimal? Rate,
    [property: Id(7)] decimal? AmountPerUnit,
    [property: Id(8)] decimal TaxableAmount,
    [property: Id(9)] decimal? Units,
    [property: Id(10)] decimal TaxAmount);

/// <summary>What a provider rated for one invoice: one line per invoice line and tax.</summary>
/// <param name="DocumentCode">The request's document code.</param>
/// <param name="Provider">Which provider rated it, for the audit trail.</param>
/// <param name="Lines">The tax lines; empty when nothing is due.</param>
[GenerateSerializer, Immutable, Alias("tax-result")]
public sealed record TaxResult(
    [property: Id(0)] string DocumentCode,
    [property: Id(1)] string Provider,
    [property: Id(2)] IReadOnlyList<TaxLine> Lines)
{
    /// <summary>The sum of the rounded tax lines; never rounded again.</summary>
    public decimal TotalTax
    {
        get
        {
            var total = 0m;
            foreach (var line in Lines)
            {
                total += line.TaxAmount;
            }

            return total;
        }
    }
}

/// <summary>
/// One tax in one jurisdiction as shown on the invoice: the tax lines of every invoice line added up.
/// <paramref name="TaxAmount"/> is the sum of the rounded tax lines (<paramref name="Parts"/>), each
/// rounded once from its own invoice line's basis, so it can differ from <paramref name="Rate"/> ×
/// <paramref name="TaxableAmount"/> by up to half a cent per invoice line; the invoice in Stripe carries
/// exactly those parts, one tax amount on each invoice line.
/// </summary>
/// <param name="Parts">What each invoice line owes of this tax, in invoice-line order; null on lines recorded before parts were kept.</param>
[GenerateSerializer, Immutable, Alias("invoice-tax-line")]
public sealed record InvoiceTaxLine(
    [property: Id(0)] string TaxCode,
    [property: Id(1)] string Name,
    [property: Id(2)] TaxLevel Level,
    [property: Id(3)] TaxClass Class,
    [property: Id(4)] string JurisdictionCode,
    [property: Id(5)] decimal? Rate,
    [property: Id(6)] decimal? AmountPerUnit,
    [property: Id(7)] decimal TaxableAmount,
    [property: Id(8)] decimal? Units,
    [property: Id(9)] decimal TaxAmount,
    [property: Id(10)] IReadOnlyList<InvoiceTaxPart>? Parts = null)
{
    /// <summary>Value equality, parts included (compared item by item).</summary>
    public bool Equals(InvoiceTaxLine? other) =>
        other is not null
        && TaxCode == other.TaxCode && Name == other.Name && Level == other.Level && Class == other.Class
        && JurisdictionCode == other.JurisdictionCode && Rate == other.Rate && AmountPerUnit == other.AmountPerUnit
        && TaxableAmount == other.TaxableAmount && Units == other.Units && TaxAmount == other.TaxAmount
        && (Parts is null ? other.Parts is null : other.Parts is not null && Parts.SequenceEqual(other.Parts));

    public override int GetHashCode() => HashCode.Combine(TaxCode, JurisdictionCode, Rate, AmountPerUnit, TaxableAmount, TaxAmount, Parts?.Count);
}

/// <summary>What one invoice line owes of one invoice tax line: its exact basis and its tax, rounded once to cents.</summary>
/// <param name="LineRef">The invoice line (<see cref="InvoiceLine.LineRef"/>).</param>
/// <param name="TaxableAmount">That line's basis, exact: as <see cref="TaxLine.TaxableAmount"/>.</param>
/// <param name="Units">The lines a per-unit fee was charged on; null for a rated tax.</param>
/// <param name="TaxAmount">That line's tax in USD, rounded once to cents.</param>
[GenerateSerializer, Immutable, Alias("invoice-tax-part")]
public sealed record InvoiceTaxPart(
    [property: Id(0)] string LineRef,
    [property: Id(1)] decimal TaxableAmount,
    [property: Id(2)] decimal? Units,
    [property: Id(3)] decimal TaxAmount);
