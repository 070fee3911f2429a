using TenantBilling.Grains.Domain;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Invoices;

public sealed class InvoiceComposerTests
{
    private static readonly DateTimeOffset InvoiceDate = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static BillingProfile Profile(Dictionary<string, decimal> prices, params RecurringItem[] items) =>
        new(false, false, 20, prices, items, "2026-05", InvoiceDate, InvoiceDate);

    [Fact]
    public void Bills_each_priced_product_with_a_quantity_then_the_recurring_items()
    {
        var profile = Profile(
            new() { ["minutes_outbound"] = 0.012m, ["local_numbers"] = 1.50m, ["minutes_inbound"] = 0.01m, ["toll_free_numbers"] = 2m },
            new RecurringItem("Hosted PBX seat", 12, 19.99m, TaxCategory.VoipSeats));
        var statement = new Statement(48.20m, new Dictionary<string, decimal>
        {
            ["minutes_outbound"] = 10_001,   // 10,001 × 0.012 = 120.012 → 120.01
            ["local_numbers"] = 7,           // 7 × 1.50 = 10.50
            ["minutes_inbound"] = 0,         // zero quantity: no line
            ["sip_channels"] = 4,            // not priced: not billed
        });

        var draft = InvoiceComposer.ComposeMonthly("acme", "t1", BillingPeriod.Parse("2026-10"), statement, profile, InvoiceDate);

        Assert.Equal(["minutes_outbound", "local_numbers", "recurring-1"], draft.Lines.Select(l => l.LineRef));
        Assert.Equal([120.01m, 10.50m, 239.88m], draft.Lines.Select(l => l.Amount));   // 12 × 19.99 = 239.88
        Assert.Equal(120.01m + 10.50m + 239.88m, draft.Subtotal);
        Assert.Equal(draft.Subtotal, draft.Total);
        Assert.Equal("Usage for October 2026", draft.Description);
        Assert.Equal("acme/t1/2026-10", draft.InvoiceKey);
        Assert.Equal(48.20m, draft.UsageTotal);
        Assert.Equal(TaxCategory.VoipSeats, draft.Lines[2].TaxCategory);
        Assert.Equal(TaxCategory.PhoneNumbers, draft.Lines[1].TaxCategory);
        Assert.Equal("Hosted PBX seat — October 2026", draft.Lines[2].Description);
    }

    [Theory]
    [InlineData("0.005", "1", "0.01")]       // half a cent rounds away from zero
    [InlineData("0.004999", "1", "0.00")]
    [InlineData("0.000125", "1000", "0.13")] // 0.125 → 0.13
    [InlineData("0.000115", "1000", "0.12")] // 0.115 → 0.12 (banker's rounding would give 0.12 too; 0.125 is the tell)
    [InlineData("0.333333", "3", "1.00")]    // 0.999999 → 1.00
    public void Each_line_rounds_once_half_away_from_zero(string unitPrice, string quantity, string expected)
    {
        var profile = Profile(new() { ["minutes_outbound"] = decimal.Parse(unitPrice, System.Globalization.CultureInfo.InvariantCulture) });
        var statement = new Statement(1m, new Dictionary<string, decimal> { ["minutes_outbound"] = decimal.Parse(quantity, System.Globalization.CultureInfo.InvariantCulture) });

        var draft = InvoiceComposer.ComposeMonthly("a", "t", BillingPeriod.Parse("2026-10"), statement, profile, InvoiceDate);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), Assert.Single(draft.Lines).Amount);
    }

    [Fact]
    public void The_total_is_the_sum_of_rounded_lines_not_a_rounded_sum()
    {
        // Three lines of 0.005 each: each rounds to 0.01, so 0.03 — rounding the exact sum 0.015 would give 0.02.
        var profile = Profile(
            new() { ["minutes_outbound"] = 0.005m, ["minutes_inbound"] = 0.005m, ["minutes_international"] = 0.005m });
        var statement = new Statement(1m, new Dictionary<string, decimal>
        {
            ["minutes_outbound"] = 1, ["minutes_inbound"] = 1, ["minutes_international"] = 1,
        });

        var draft = InvoiceComposer.ComposeMonthly("a", "t", BillingPeriod.Parse("2026-10"), statement, profile, InvoiceDate);

        Assert.Equal(0.03m, draft.Total);
    }

    [Fact]
    public void Taxes_are_added_to_the_total()
    {
        var profile = Profile(new() { ["local_numbers"] = 1m });
        var statement = new Statement(1m, new Dictionary<string, decimal> { ["local_numbers"] = 10 });
        var draft = InvoiceComposer.ComposeMonthly("a", "t", BillingPeriod.Parse("2026-10"), statement, profile, InvoiceDate);

        var taxed = InvoiceComposer.WithTaxes(draft, [new InvoiceTaxLine("FUSF", "USF", TaxLevel.Federal, TaxClass.Federal, "US", 0.37m, null, 6.49m, null, 2.40m)]);

        Assert.Equal(10m, taxed.Subtotal);
        Assert.Equal(2.40m, taxed.TaxTotal);
        Assert.Equal(12.40m, taxed.Total);
    }

    [Fact]
    public void A_one_time_invoice_prices_products_from_the_profile_and_custom_items_from_themselves()
    {
        var profile = Profile(new() { ["local_numbers"] = 1.25m });
        OneTimeItem[] items =
        [
            new("local_numbers", null, 4, null, null),
            new(null, "Emergency support call", 1.5m, 120m, TaxCategory.NonTaxable),
        ];

        var draft = InvoiceComposer.ComposeOneTime("acme", "t1", "req-1", items, profile, 3.10m, InvoiceDate);

        Assert.Equal("acme/t1/once-req-1", draft.InvoiceKey);
        Assert.Equal(InvoiceKind.OneTime, draft.Kind);
        Assert.Equal([5.00m, 180.00m], draft.Lines.Select(l => l.Amount));
        Assert.Equal(185.00m, draft.Total);
        Assert.Equal(3.10m, draft.UsageTotal);
        Assert.Equal("Local numbers", draft.Lines[0].Description);
    }

    [Theory]
    [InlineData("1.005", "1.01")]
    [InlineData("-1.005", "-1.01")]
    [InlineData("2.675", "2.68")]
    public void Money_rounds_half_away_from_zero(string amount, string expected) =>
        Assert.Equal(
            decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            Money.RoundToCents(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void Cents_at_the_stripe_boundary_are_exact_and_refuse_fractions()
    {
        Assert.Equal(12_345L, Money.ToCents(123.45m));
        Assert.Throws<ArgumentException>(() => Money.ToCents(1.005m));
        Assert.Equal(6, Money.DecimalPlaces(0.000001m));
        Assert.Equal(1, Money.DecimalPlaces(1.50m));
    }
}
