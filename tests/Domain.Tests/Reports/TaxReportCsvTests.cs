using TenantBilling.Grains.Domain.Reports;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Reports;

public sealed class TaxReportCsvTests
{
    private static readonly DateTimeOffset November20 = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static InvoiceTaxLine Usf(decimal basis, decimal amount) => new("FUSF", "Federal USF", TaxLevel.Federal, TaxClass.Federal, "US", 0.37m, null, basis, null, amount);

    private static InvoiceTaxLine Mn911(decimal units, decimal amount) => new("E911_VOIP", "Minnesota 911 fee", TaxLevel.State, TaxClass.StateLocal, "MN", null, 0.95m, 10m, units, amount);

    [Fact]
    public void Lists_every_tax_of_sent_invoices_and_totals_per_jurisdiction_and_tax_to_the_cent()
    {
        TaxReportEntry[] entries =
        [
            new("a/t1/2026-10", "t1", "ABC-0001", "in_1", November20, [Usf(64.90m, 24.01m), Mn911(3, 2.85m)], false),
            new("a/t2/2026-10", "t2", "ABC-0002", "in_2", November20, [Usf(32.45m, 12.01m)], false),
            new("a/t3/2026-10", "t3", "ABC-0003", "in_3", November20, [Usf(1000m, 370.00m)], Voided: true),
        ];

        var rows = TaxReportCsv.Write(entries).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',')).ToList();

        Assert.Equal(TaxReportCsv.Columns, rows[0]);
        var taxRows = rows.Where(r => r[0] == "tax").ToList();
        var totals = rows.Where(r => r[0] == "total").ToDictionary(r => (r[6], r[7]), r => r);
        Assert.Equal(3, taxRows.Count);                       // the voided invoice is left out
        Assert.DoesNotContain(taxRows, r => r[2] == "in_3");
        Assert.Equal(["tax", "ABC-0001", "in_1", "t1", "2026-11-20", "federal", "US", "FUSF", "Federal USF", "64.90", "0.37", "", "", "24.01", "", "", ""], taxRows[0]);
        Assert.Equal("36.02", totals[("US", "FUSF")][13]);   // 24.01 + 12.01
        Assert.Equal("97.35", totals[("US", "FUSF")][9]);    // 64.90 + 32.45
        Assert.Equal("2.85", totals[("MN", "E911_VOIP")][13]);
        Assert.Equal("3", totals[("MN", "E911_VOIP")][12]);
        Assert.Equal(
            taxRows.Sum(r => decimal.Parse(r[13], System.Globalization.CultureInfo.InvariantCulture)),
            totals.Values.Sum(r => decimal.Parse(r[13], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void Taxes_given_back_in_the_month_are_negative_adjustment_rows_naming_the_original_invoice_and_totals_are_net()
    {
        var october = new TaxReportEntry("a/t1/2026-09", "t1", "ABC-0001", "in_1", new DateTimeOffset(2026, 10, 20, 0, 0, 0, TimeSpan.Zero), [Usf(64.90m, 24.01m), Mn911(3, 2.85m)], false);
        var credited = new InvoiceTaxLine("FUSF", "Federal USF", TaxLevel.Federal, TaxClass.Federal, "US", 0.37m, null, 32.45m, null, 12.01m);
        TaxReportEntry[] november =
        [
            new("a/t2/2026-10", "t2", "ABC-0002", "in_2", November20, [Usf(32.45m, 12.01m)], false),
            TaxAdjustments.Void(october, new DateTimeOffset(2026, 11, 3, 12, 0, 0, TimeSpan.Zero)),
            TaxAdjustments.Credit(october with { InvoiceKey = "a/t3/2026-10", StripeInvoiceId = "in_3", InvoiceNumber = "ABC-0003" }, [credited], "goodwill-1", "ABC-0003-CN-01", November20.AddDays(2)),
        ];

        var rows = TaxReportCsv.Write(november).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',')).ToList();

        var adjustments = rows.Where(r => r[0] == "adjustment").ToList();
        Assert.Equal(
            [
                ["adjustment", "ABC-0001", "in_1", "t1", "2026-10-20", "federal", "US", "FUSF", "Federal USF", "-64.90", "0.37", "", "", "-24.01", "void", "2026-11-03", ""],
                ["adjustment", "ABC-0001", "in_1", "t1", "2026-10-20", "state", "MN", "E911_VOIP", "Minnesota 911 fee", "-10.00", "", "0.95", "-3", "-2.85", "void", "2026-11-03", ""],
                ["adjustment", "ABC-0003", "in_3", "t1", "2026-10-20", "federal", "US", "FUSF", "Federal USF", "-32.45", "0.37", "", "", "-12.01", "credit", "2026-11-22", "ABC-0003-CN-01"],
            ],
            adjustments);
        var totals = rows.Where(r => r[0] == "total").ToDictionary(r => (r[6], r[7]), r => r[13]);
        Assert.Equal("-24.01", totals[("US", "FUSF")]);       // 12.01 − 24.01 − 12.01
        Assert.Equal("-2.85", totals[("MN", "E911_VOIP")]);
    }

    [Fact]
    public void Quotes_fields_that_hold_commas_or_quotes()
    {
        var entry = new TaxReportEntry("a/t/2026-10", "t", "N-1", "in_1", November20,
            [new InvoiceTaxLine("X", "Tax, \"special\"", TaxLevel.State, TaxClass.Sales, "TX", 0.01m, null, 1m, null, 0.01m)], false);

        var csv = TaxReportCsv.Write([entry]);

        Assert.Contains("\"Tax, \"\"special\"\"\"", csv, StringComparison.Ordinal);
    }
}
