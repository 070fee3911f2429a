using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Taxes;

internal static class TaxFixtures
{
    /// <summary>The table embedded in the product (a copy of us-telecom-tax-rates.csv).</summary>
    public static readonly TaxRateTable Embedded = TaxRateTableLoader.LoadEmbedded();

    public static readonly Jurisdiction Texas = new("TX", "Travis", "48453", "AUSTIN");
    public static readonly Jurisdiction Minnesota = new("MN", "Hennepin", "27053", "MINNEAPOLIS");
    public static readonly Jurisdiction California = new("CA", "Los Angeles", "06037", "LOS ANGELES");
    public static readonly Jurisdiction Illinois = new("IL", "Sangamon", "17167", "SPRINGFIELD");

    public static TaxRequest Request(Jurisdiction where, string date, params TaxRequestLine[] lines) =>
        Request(where, date, TaxExemptions.None, lines);

    public static TaxRequest Request(Jurisdiction where, string date, TaxExemptions exemptions, params TaxRequestLine[] lines) =>
        new("acct-1/tenant-1/2026-01", DateOnly.ParseExact(date, "yyyy-MM-dd"), where, exemptions, lines);

    /// <summary>An invoice line for a catalogue product: quantity × unit price, as the composer makes it.</summary>
    public static TaxRequestLine Product(string lineRef, string productCode, decimal quantity, decimal amount) =>
        TaxRequestLine.For(lineRef, ProductCatalog.Get(productCode).TaxCategory, quantity, amount);

    public static (string LineRef, string TaxCode, string Jurisdiction, decimal TaxAmount)[] Summary(IReadOnlyList<TaxLine> lines) =>
        lines.Select(l => (l.LineRef, l.TaxCode, l.JurisdictionCode, l.TaxAmount)).ToArray();

    public static decimal Total(IReadOnlyList<TaxLine> lines) => lines.Sum(l => l.TaxAmount);
}
