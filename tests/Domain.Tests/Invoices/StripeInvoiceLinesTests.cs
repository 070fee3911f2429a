using TenantBilling.Grains.Domain;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Invoices;

public sealed class StripeInvoiceLinesTests
{
    [Fact]
    public void Every_line_and_tax_becomes_one_stripe_line_and_they_add_up_to_the_total()
    {
        var profile = new BillingProfile(false, true, 20, new Dictionary<string, decimal> { ["minutes_outbound"] = 0.0125m, ["local_numbers"] = 1.5m },
            [new RecurringItem("Hosted PBX seat", 3, 19.99m, TaxCategory.VoipSeats)], "2026-10", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        var statement = new Statement(40m, new Dictionary<string, decimal> { ["minutes_outbound"] = 12_345, ["local_numbers"] = 4 });
        var draft = InvoiceComposer.WithTaxes(
            InvoiceComposer.ComposeMonthly("a", "t", BillingPeriod.Parse("2026-10"), statement, profile, DateTimeOffset.UnixEpoch),
            [
                new InvoiceTaxLine("FUSF", "Federal Universal Service Fund", TaxLevel.Federal, TaxClass.Federal, "US", 0.37m, null, 163.87m, null, 60.63m),
                new InvoiceTaxLine("E911_VOIP", "Minnesota 911 fee", TaxLevel.State, TaxClass.StateLocal, "MN", null, 0.95m, 59.97m, 3m, 2.85m),
            ]);

        var lines = StripeInvoiceLines.For(draft);

        Assert.Equal(draft.Lines.Count + draft.Taxes.Count, lines.Count);
        Assert.Equal(Money.ToCents(draft.Total), lines.Sum(l => l.AmountCents));
        Assert.Equal(15_431, lines[0].AmountCents);   // 12,345 × 0.0125 = 154.3125 → 154.31
        Assert.Equal("Outbound minutes — October 2026 (12,345 × $0.0125)", lines[0].Description);
        Assert.Equal("Federal Universal Service Fund (US): 37% of $163.87", lines[3].Description);
        Assert.Equal("Minnesota 911 fee (MN): $0.95 × 3 lines", lines[4].Description);
    }
}
