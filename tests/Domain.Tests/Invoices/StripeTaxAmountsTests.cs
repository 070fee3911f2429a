using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Invoices;

public sealed class StripeTaxAmountsTests
{
    private static InvoiceTaxLine TaxLine(string code, TaxLevel level, TaxClass taxClass, string jurisdiction, decimal? rate, decimal? perUnit, string name = "Tax") =>
        new(code, name, level, taxClass, jurisdiction, rate, perUnit, 0m, null, 0m);

    [Theory]
    // code, level, class, jurisdiction, rate, per unit, part basis, part units, part tax → Stripe's amount, basis, %, level, state, type
    [InlineData("FUSF", TaxLevel.Federal, TaxClass.Federal, "US", "0.376", null, "64.9", null, "24.40", 2440, 6490, "37.6", "country", null, "communications_tax")]
    [InlineData("STATE_SALES", TaxLevel.State, TaxClass.Sales, "MN", "0.06875", null, "50.00", null, "3.44", 344, 5000, "6.875", "state", "MN", "sales_tax")]
    [InlineData("E911_VOIP", TaxLevel.State, TaxClass.StateLocal, "MN", null, "0.95", "59.97", "3", "2.85", 285, 5997, "0", "state", "MN", "communications_tax")]
    [InlineData("E911_VOIP", TaxLevel.State, TaxClass.StateLocal, "MN", "0.009", null, "12.3456", null, "0.11", 11, 1235, "0.9", "state", "MN", "communications_tax")]
    [InlineData("LOCAL_UUT", TaxLevel.Local, TaxClass.StateLocal, "MN-MPLS", "0.123456", null, "10.00", null, "1.23", 123, 1000, "12.3456", "city", "MN", "communications_tax")]
    [InlineData("COUNTY_SALES", TaxLevel.County, TaxClass.Sales, "MN-053", "0.0015", null, "100.00", null, "0.15", 15, 10000, "0.15", "county", "MN", "sales_tax")]
    [InlineData("FUSF", TaxLevel.Federal, TaxClass.Federal, "US", "0.1234567", null, "1.00", null, "0.12", 12, 100, "12.3457", "country", null, "communications_tax")]
    public void Each_part_of_a_tax_line_becomes_one_tax_amount_of_its_line(
        string code, TaxLevel level, TaxClass taxClass, string jurisdiction, string? rate, string? perUnit, string basis, string? units, string tax,
        long amountCents, long taxableCents, string percentage, string stripeLevel, string? state, string type)
    {
        var line = TaxLine(code, level, taxClass, jurisdiction, D(rate), D(perUnit));
        var part = new InvoiceTaxPart("l1", D(basis)!.Value, D(units), D(tax)!.Value);

        var amount = StripeTaxAmounts.For(line, part, "MN");

        Assert.Equal(
            (amountCents, taxableCents, D(percentage)!.Value, jurisdiction, stripeLevel, "US", state, type, code),
            (amount.AmountCents, amount.TaxableAmountCents, amount.Percentage, amount.Jurisdiction, amount.JurisdictionLevel, amount.Country, amount.State, amount.TaxType, amount.Description));
    }

    private static decimal? D(string? text) => text is null ? null : decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Twenty_tax_amounts_stay_as_they_are()
    {
        var amounts = Enumerable.Range(1, 20).Select(i => Amount(i, "city", "communications_tax", $"C{i}")).ToList();

        Assert.Same(amounts, StripeTaxAmounts.Limit(amounts));
    }

    [Fact]
    public void Beyond_twenty_a_line_has_one_tax_amount_per_jurisdiction_level_and_tax_type_adding_up_to_the_same_cents()
    {
        // 1 federal, 2 state (one sales, one communications), 19 city communications taxes: 22 > 20.
        List<StripeTaxAmount> amounts =
        [
            new(2440, 6490, "Federal Universal Service Fund", 37.6m, "US", "country", "US", null, "communications_tax", "FUSF"),
            new(344, 5000, "MN state sales tax", 6.875m, "MN", "state", "US", "MN", "sales_tax", "STATE_SALES"),
            new(95, 5000, "MN 911 fee", 0m, "MN", "state", "US", "MN", "communications_tax", "E911_VOIP"),
            .. Enumerable.Range(1, 19).Select(i => Amount(i, "city", "communications_tax", $"CITY{i}")),
        ];

        var limited = StripeTaxAmounts.Limit(amounts);

        Assert.Equal(4, limited.Count);
        Assert.Equal(amounts.Sum(a => a.AmountCents), limited.Sum(a => a.AmountCents));
        Assert.Equal(amounts[..3], limited.Take(3));   // groups of one are kept as they were
        var city = limited[3];
        // 19 city taxes of i cents each on 5,000: 190 cents, 3.8 % of 5,000.
        Assert.Equal(
            (190L, 5000L, 3.8m, "Local communications taxes", "Multiple", "multiple", "MN", "communications_tax"),
            (city.AmountCents, city.TaxableAmountCents, city.Percentage, city.DisplayName, city.Jurisdiction, city.JurisdictionLevel, city.State, city.TaxType));
        Assert.StartsWith("CITY1 CITY2", city.Description, StringComparison.Ordinal);
    }

    [Fact]
    public void Merged_fixed_fees_stay_a_zero_percent_amount()
    {
        var fees = Enumerable.Range(1, 21).Select(i => Amount(i, "county", "communications_tax", $"F{i}") with { Percentage = 0m, Jurisdiction = "MN-053" }).ToList();

        var merged = Assert.Single(StripeTaxAmounts.Limit(fees));

        Assert.Equal((231L, 0m, "MN-053", "county", "County communications taxes"), (merged.AmountCents, merged.Percentage, merged.Jurisdiction, merged.JurisdictionLevel, merged.DisplayName));
    }

    [Fact]
    public void A_draft_maps_every_part_to_its_line_in_tax_line_order()
    {
        var draft = Draft(
            [Line("a"), Line("b")],
            [
                TaxLine("FUSF", TaxLevel.Federal, TaxClass.Federal, "US", 0.37m, null) with { Parts = [new("a", 10m, null, 3.70m), new("b", 20m, null, 7.40m)] },
                TaxLine("STATE_SALES", TaxLevel.State, TaxClass.Sales, "MN", 0.05m, null) with { Parts = [new("b", 30m, null, 1.50m)] },
            ]);

        var byLine = StripeTaxAmounts.ByLine(draft);

        Assert.Equal([370L], byLine["a"].Select(t => t.AmountCents));
        Assert.Equal([740L, 150L], byLine["b"].Select(t => t.AmountCents));
    }

    [Fact]
    public void A_part_naming_a_line_the_invoice_lacks_is_a_bug_not_a_tax()
    {
        var draft = Draft([Line("a")], [TaxLine("FUSF", TaxLevel.Federal, TaxClass.Federal, "US", 0.37m, null) with { Parts = [new("zz", 10m, null, 3.70m)] }]);

        Assert.Throws<InvalidOperationException>(() => StripeTaxAmounts.ByLine(draft));
    }

    [Theory]
    [InlineData(TaxLevel.Federal, "country")]
    [InlineData(TaxLevel.State, "state")]
    [InlineData(TaxLevel.County, "county")]
    [InlineData(TaxLevel.Local, "city")]
    public void Levels_map_to_stripes(TaxLevel level, string stripe) => Assert.Equal(stripe, StripeTaxAmounts.LevelOf(level));

    [Theory]
    [InlineData(TaxClass.Federal, "communications_tax")]
    [InlineData(TaxClass.StateLocal, "communications_tax")]
    [InlineData(TaxClass.Sales, "sales_tax")]
    public void Classes_map_to_stripes_tax_types(TaxClass taxClass, string type) => Assert.Equal(type, StripeTaxAmounts.TypeOf(taxClass));

    private static StripeTaxAmount Amount(int cents, string level, string type, string code) =>
        new(cents, 5000, code, 0.02m * cents, $"J-{code}", level, "US", "MN", type, code);

    private static InvoiceLine Line(string lineRef) => new(lineRef, lineRef, null, 1m, 10m, 10m, TaxCategory.VoipUsage);

    private static InvoiceDraft Draft(IReadOnlyList<InvoiceLine> lines, IReadOnlyList<InvoiceTaxLine> taxes) =>
        new("a/t/2026-10", "a", "t", InvoiceKind.Monthly, "2026-10", "d", DateTimeOffset.UnixEpoch, lines, taxes, 0m, 0m, 0m, false, true, 0m, null,
            new Jurisdiction("MN", "Hennepin", "27053", "MINNEAPOLIS"));
}
