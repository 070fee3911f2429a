using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Interfaces.Models;
using static TenantBilling.Domain.Tests.Taxes.TaxFixtures;

namespace TenantBilling.Domain.Tests.Taxes;

public sealed class TaxLineGroupingTests
{
    [Fact]
    public void Each_invoice_tax_line_rounds_once_from_the_basis_and_rate_it_shows()
    {
        // MN, Q2 2026 (USF 0.370, sales 0.06875, 911 0.95/line). Three $50.00 minute lines:
        //   USF basis 3 × (50.00 × 0.649) = 97.35; × 0.370 = 36.0195 → 36.02
        //   (adding the three lines each rounded, 12.0065 → 12.01, would give 36.03: a cent off 37% of $97.35)
        //   sales basis 150.00 × 0.06875 = 10.3125 → 10.31 (per line 3.4375 → 3.44, × 3 = 10.32)
        // Channels 5 and 3 lines at $0: 911 on 8 lines × 0.95 = 7.60.
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
                new InvoiceTaxLine("FUSF", "Federal Universal Service Fund", TaxLevel.Federal, TaxClass.Federal, "US", 0.370m, null, 97.35m, null, 36.02m),
                new InvoiceTaxLine("STATE_SALES", "MN state sales tax", TaxLevel.State, TaxClass.Sales, "MN", 0.06875m, null, 150.00m, null, 10.31m),
                new InvoiceTaxLine("E911_VOIP", "MN 911 fee", TaxLevel.State, TaxClass.StateLocal, "MN", null, 0.95m, 0m, 8m, 7.60m),
            ],
            invoice);
        Assert.All(invoice, line => Assert.Equal(
            TenantBilling.Grains.Domain.Money.RoundToCents(line.Rate is { } rate ? rate * line.TaxableAmount : line.AmountPerUnit!.Value * line.Units!.Value),
            line.TaxAmount));
    }

    [Fact]
    public void NoTaxLinesGroupToNothing()
    {
        Assert.Empty(TaxLineGrouping.Group([]));
    }
}
