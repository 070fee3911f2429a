using TenantBilling.Grains.Domain;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Invoices;

public sealed class StripeInvoiceLinesTests
{
    private static readonly BillingProfile Profile = new(false, true, 20, new Dictionary<string, decimal> { ["minutes_outbound"] = 0.0125m, ["local_numbers"] = 1.5m },
        [new RecurringItem("Hosted PBX seat", 3, 19.99m, TaxCategory.VoipSeats)], "2026-10", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    private static readonly Statement Usage = new(40m, new Dictionary<string, decimal> { ["minutes_outbound"] = 12_345, ["local_numbers"] = 4 });

    [Fact]
    public void Each_billed_line_becomes_one_stripe_line_carrying_its_taxes_and_all_add_up_to_the_total()
    {
        // Lines: minutes 12,345 × 0.0125 = 154.3125 → 154.31; numbers 4 × 1.50 = 6.00; seats 3 × 19.99 = 59.97.
        // USF on minutes 154.31 × 0.649 = 100.14719 × 0.37 = 37.05446 → 37.05; on seats 59.97 × 0.649 = 38.92053 × 0.37 = 14.40060 → 14.40.
        // 911 on the seats: 3 lines × 0.95 = 2.85.
        var draft = InvoiceComposer.WithTaxes(
            InvoiceComposer.ComposeMonthly("a", "t", BillingPeriod.Parse("2026-10"), Usage, Profile, DateTimeOffset.UnixEpoch),
            [
                new InvoiceTaxLine("FUSF", "Federal Universal Service Fund", TaxLevel.Federal, TaxClass.Federal, "US", 0.37m, null, 139.06772m, null, 51.45m,
                    [new("minutes_outbound", 100.14719m, null, 37.05m), new("recurring-1", 38.92053m, null, 14.40m)]),
                new InvoiceTaxLine("E911_VOIP", "MN 911 fee", TaxLevel.State, TaxClass.StateLocal, "MN", null, 0.95m, 59.97m, 3m, 2.85m,
                    [new("recurring-1", 59.97m, 3m, 2.85m)]),
            ]) with { TaxJurisdiction = new Jurisdiction("MN", "Hennepin", "27053", "MINNEAPOLIS") };

        var lines = StripeInvoiceLines.For(draft);

        Assert.Equal(draft.Lines.Count, lines.Count);
        Assert.Equal([15_431L, 600L, 5_997L], lines.Select(l => l.AmountCents));
        Assert.Equal("Outbound minutes — October 2026 (12,345 × $0.0125)", lines[0].Description);
        Assert.Equal(
            [new StripeTaxAmount(3_705, 10_015, "Federal Universal Service Fund", 37m, "US", "country", "US", null, "communications_tax", "FUSF")],
            lines[0].TaxAmounts);
        Assert.Empty(lines[1].TaxAmounts);
        Assert.Equal(
            [
                new StripeTaxAmount(1_440, 3_892, "Federal Universal Service Fund", 37m, "US", "country", "US", null, "communications_tax", "FUSF"),
                new StripeTaxAmount(285, 5_997, "MN 911 fee", 0m, "MN", "state", "US", "MN", "communications_tax", "E911_VOIP"),   // a fixed fee: 0 % with its amount
            ],
            lines[2].TaxAmounts);
        Assert.Equal(Money.ToCents(draft.Total), StripeInvoiceLines.TotalCents(lines));
        Assert.Equal(Money.ToCents(draft.TaxTotal), lines.Sum(l => l.TaxAmounts.Sum(t => t.AmountCents)));
    }

    [Fact]
    public void A_tax_line_recorded_without_parts_goes_whole_on_the_first_line()
    {
        var draft = InvoiceComposer.WithTaxes(
            InvoiceComposer.ComposeMonthly("a", "t", BillingPeriod.Parse("2026-10"), Usage, Profile, DateTimeOffset.UnixEpoch),
            [new InvoiceTaxLine("FUSF", "Federal Universal Service Fund", TaxLevel.Federal, TaxClass.Federal, "US", 0.37m, null, 139.06772m, null, 51.45m)]);

        var lines = StripeInvoiceLines.For(draft);

        Assert.Equal([5_145L], lines[0].TaxAmounts.Select(t => t.AmountCents));
        Assert.All(lines.Skip(1), l => Assert.Empty(l.TaxAmounts));
        Assert.Equal(Money.ToCents(draft.Total), StripeInvoiceLines.TotalCents(lines));
    }
}
