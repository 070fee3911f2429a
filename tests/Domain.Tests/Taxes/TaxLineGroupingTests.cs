using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Interfaces.Models;
using static TenantBilling.Domain.Tests.Taxes.TaxFixtures;

namespace TenantBilling.Domain.Tests.Taxes;

public sealed class TaxLineGroupingTests
{
    [Fact]
    public void Each_invoice_tax_line_is_the_sum_of_its_lines_each_rounded_once_and_keeps_them_as_parts()
    {
        // MN, Q2 2026 (USF 0.370, sales 0.06875, 911 0.95/line). Three $50.00 minute lines:
        //   USF per line 50.00 × 0.649 = 32.45; × 0.370 = 12.0065 → 12.01; three lines 36.03 on a basis of 97.35
        //   (37% of $97.35 rounded once would be 36.02: the invoice line shows the sum of what each line owes)
        //   sales per line 50.00 × 0.06875 = 3.4375 → 3.44; three lines 10.32 on 150.00
        // Channels 5 and 3 lines at $0: 911 5 × 0.95 = 4.75 and 3 × 0.95 = 2.85; 7.60 on 8 lines.
        var request = Request(Minnesota, "2026-05-10",
            Product("m1", "minutes_outbound", 5_000m, 50.00m),
            Product("m2", "minutes_inbound", 5_000m, 50.00m),
            Product("m3", "minutes_international", 1_000m, 50.00m),
            Product("c1", "sip_channels", 5m, 0m),
            Product("c2", "sip_channels", 3m, 0m));
        var taxes = TaxCalculator.Calculate(Embedded, request);

        var invoice = TaxLineGrouping.Group(taxes);

        Assert.Equal(
            [
                new InvoiceTaxLine("FUSF", "Federal Universal Service Fund", TaxLevel.Federal, TaxClass.Federal, "US", 0.370m, null, 97.35m, null, 36.03m,
                    [new("m1", 32.45m, null, 12.01m), new("m2", 32.45m, null, 12.01m), new("m3", 32.45m, null, 12.01m)]),
                new InvoiceTaxLine("STATE_SALES", "MN state sales tax", TaxLevel.State, TaxClass.Sales, "MN", 0.06875m, null, 150.00m, null, 10.32m,
                    [new("m1", 50.00m, null, 3.44m), new("m2", 50.00m, null, 3.44m), new("m3", 50.00m, null, 3.44m)]),
                new InvoiceTaxLine("E911_VOIP", "MN 911 fee", TaxLevel.State, TaxClass.StateLocal, "MN", null, 0.95m, 0m, 8m, 7.60m,
                    [new("c1", 0m, 5m, 4.75m), new("c2", 0m, 3m, 2.85m)]),
            ],
            invoice);
        Assert.Equal(Total(taxes), invoice.Sum(l => l.TaxAmount));
        Assert.All(invoice, line => Assert.Equal(line.TaxAmount, line.Parts!.Sum(p => p.TaxAmount)));
        Assert.All(invoice.SelectMany(l => l.Parts!.Select(p => (l, p))), x => Assert.Equal(
            TenantBilling.Grains.Domain.Money.RoundToCents(x.l.Rate is { } rate ? rate * x.p.TaxableAmount : x.l.AmountPerUnit!.Value * x.p.Units!.Value),
            x.p.TaxAmount));
    }

    [Fact]
    public void NoTaxLinesGroupToNothing()
    {
        Assert.Empty(TaxLineGrouping.Group([]));
    }
}
