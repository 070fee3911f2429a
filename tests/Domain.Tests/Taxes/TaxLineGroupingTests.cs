using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Interfaces.Models;
using static TenantBilling.Domain.Tests.Taxes.TaxFixtures;

namespace TenantBilling.Domain.Tests.Taxes;

public sealed class TaxLineGroupingTests
{
    [Fact]
    public void GroupedTaxesAddTheRoundedLinesSoTheInvoiceTotalMatchesTheProviderToTheCent()
    {
        // MN, Q2 2026 (USF 0.370, sales 0.06875, 911 0.95/line). Three $50.00 minute lines:
        //   USF per line  50.00 × 0.649 = 32.45; × 0.370 = 12.0065 → 12.01; × 3 = 36.03
        //   (rounding the group once would give 97.35 × 0.370 = 36.0195 → 36.02: not what we show)
        //   sales per line 50.00 × 0.06875 = 3.4375 → 3.44; × 3 = 10.32 (150.00 × 0.06875 = 10.3125 → 10.31)
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
                new InvoiceTaxLine("FUSF", "Federal Universal Service Fund", TaxLevel.Federal, TaxClass.Federal, "US", 0.370m, null, 97.35m, null, 36.03m),
                new InvoiceTaxLine("STATE_SALES", "MN state sales tax", TaxLevel.State, TaxClass.Sales, "MN", 0.06875m, null, 150.00m, null, 10.32m),
                new InvoiceTaxLine("E911_VOIP", "MN 911 fee", TaxLevel.State, TaxClass.StateLocal, "MN", null, 0.95m, 0m, 8m, 7.60m),
            ],
            invoice);
        Assert.Equal(Total(taxes), invoice.Sum(l => l.TaxAmount));
    }

    [Fact]
    public void NoTaxLinesGroupToNothing()
    {
        Assert.Empty(TaxLineGrouping.Group([]));
    }
}
