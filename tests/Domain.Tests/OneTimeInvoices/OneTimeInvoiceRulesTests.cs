using TenantBilling.Grains.Domain.OneTimeInvoices;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.OneTimeInvoices;

public sealed class OneTimeInvoiceRulesTests
{
    private static readonly BillingProfile Profile = new(
        false, true, 20, new Dictionary<string, decimal> { ["local_numbers"] = 1.50m, ["minutes_outbound"] = 0.02m }, [],
        "2026-01", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);

    /// <summary>What was sent for request r1: two local numbers at the profile's price, and a custom set-up fee.</summary>
    private static readonly InvoiceDraft Sent = new(
        "acct/t1/once-r1", "acct", "t1", InvoiceKind.OneTime, null, "One-time", DateTimeOffset.UnixEpoch,
        [
            new InvoiceLine("l1", "Local numbers", "local_numbers", 2, 1.50m, 3m, TaxCategory.PhoneNumbers),
            new InvoiceLine("l2", "Set-up", null, 1, 99m, 99m, TaxCategory.NonTaxable),
        ],
        [], 102m, 0m, 102m, AutoCharge: false, IncludeTaxes: true, UsageTotal: 0m, SourceStatement: null);

    private static OneTimeItem Numbers(decimal quantity = 2, decimal? unitPrice = null) => new("local_numbers", null, quantity, unitPrice, null);

    private static OneTimeItem Setup(string? description = "Set-up", decimal? unitPrice = 99m, TaxCategory? category = TaxCategory.NonTaxable) =>
        new(null, description, 1, unitPrice, category);

    public static TheoryData<string, OneTimeItem[], bool> RepeatCases => new()
    {
        { "the same items", [Numbers(), Setup()], true },
        { "fields the request leaves out are not compared", [Numbers(), Setup(description: null, unitPrice: null, category: null)], true },
        { "the catalogue price given explicitly", [Numbers(unitPrice: 1.50m), Setup()], true },
        { "another quantity", [Numbers(3), Setup()], false },
        { "another unit price", [Numbers(), Setup(unitPrice: 98m)], false },
        { "another description", [Numbers(), Setup(description: "Setup")], false },
        { "another tax category", [Numbers(), Setup(category: TaxCategory.VoipService)], false },
        { "an item fewer", [Numbers()], false },
        { "an item more", [Numbers(), Setup(), Setup()], false },
        { "the same items in another order", [Setup(), Numbers()], false },
    };

    [Theory]
    [MemberData(nameof(RepeatCases))]
    public void A_repeated_request_id_answers_the_sent_invoice_only_for_the_same_items(string name, OneTimeItem[] items, bool same)
    {
        Assert.True(same == OneTimeInvoiceRules.SameItems(Sent, items), name);

        var refused = Record.Exception(() => OneTimeInvoiceRules.EnsureSameItems("r1", Sent, items));
        if (same)
        {
            Assert.Null(refused);
        }
        else
        {
            var conflict = Assert.IsType<BillingProblemException>(refused);
            Assert.Equal(ProblemKind.Conflict, conflict.Kind);
            Assert.Contains("'r1'", conflict.Title, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_one_time_invoice_needs_a_billing_profile()
    {
        Assert.Same(Profile, OneTimeInvoiceRules.RequireProfile(Profile));
        Assert.Equal(ProblemKind.Conflict, Assert.Throws<BillingProblemException>(() => OneTimeInvoiceRules.RequireProfile(null)).Kind);
    }

    [Fact]
    public void Each_catalogue_product_without_a_price_is_refused_by_its_position_naming_the_priced_ones()
    {
        OneTimeInvoiceRules.EnsurePriced(Profile, [Numbers(), Setup()]);

        var refused = Assert.Throws<BillingProblemException>(() => OneTimeInvoiceRules.EnsurePriced(
            Profile, [Numbers(), new OneTimeItem("toll_free_numbers", null, 1, null, null), Setup(), new OneTimeItem("sip_channels", null, 2, null, null)]));

        Assert.Equal(ProblemKind.Validation, refused.Kind);
        Assert.Equal(["items[1].productCode", "items[3].productCode"], refused.Errors!.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("The billing profile has no price for 'toll_free_numbers'. Priced: local_numbers, minutes_outbound.", Assert.Single(refused.Errors["items[1].productCode"]));
    }
}
