using TenantBilling.Grains.Domain.Validation;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Validation;

public sealed class TenantRulesTests
{
    private static readonly TenantRules.AddressParts Address = new(" 1 Main St ", null, "Austin", "tx", "78701", "us");

    [Theory]
    [InlineData("+15125550100", "+15125550100")]
    [InlineData("512 555 0100", "+15125550100")]
    [InlineData("(512) 555-0100", "+15125550100")]
    [InlineData("1-512-555-0100", "+15125550100")]
    [InlineData("512.555.0100", "+15125550100")]
    [InlineData("+442071838750", "+442071838750")]
    public void Phones_become_E164(string given, string stored)
    {
        var errors = new FieldErrors();
        Assert.Equal(stored, TenantRules.Phone(errors, "phone", given));
        Assert.True(errors.IsEmpty);
    }

    [Theory]
    [InlineData("5125550100x")]
    [InlineData("112 555 0100")]   // area code can't start with 1
    [InlineData("512 155 0100")]   // exchange can't start with 1
    [InlineData("555-0100")]
    [InlineData("+0123456789")]
    [InlineData("+1234567")]       // too short for E.164
    [InlineData("")]
    public void Bad_phones_are_refused(string given)
    {
        var errors = new FieldErrors();
        Assert.Null(TenantRules.Phone(errors, "phone", given));
        Assert.True(errors.ToDictionary().ContainsKey("phone"));
    }

    [Fact]
    public void Valid_details_are_trimmed_and_normalised()
    {
        var errors = new FieldErrors();
        var details = TenantRules.Validate(errors, " Bob's Bakery ", "5125550100", "ap@bobs.example", "Bob", "+15125550101", Address);

        Assert.True(errors.IsEmpty);
        Assert.Equal("Bob's Bakery", details!.Name);
        Assert.Equal("+15125550100", details.Phone);
        Assert.Equal(new PostalAddress("1 Main St", null, "Austin", "tx", "78701", "US"), details.Address);
    }

    [Fact]
    public void Every_bad_field_is_named()
    {
        var errors = new FieldErrors();
        var details = TenantRules.Validate(
            errors, "", "12", "not-an-email", new string('x', Limits.NameLength + 1), null,
            new TenantRules.AddressParts(null, null, "Austin", "Texas", "7870", "CA"));

        Assert.Null(details);
        Assert.Equal(
            ["address.country", "address.line1", "address.postalCode", "address.state", "billingEmail", "contactName", "contactPhone", "name", "phone"],
            errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_missing_address_is_named()
    {
        var errors = new FieldErrors();
        TenantRules.Validate(errors, "n", "5125550100", "a@b.co", "c", "5125550100", null);
        Assert.Equal(["address"], errors.ToDictionary().Keys);
    }
}

public sealed class BillingRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_valid_profile_passes()
    {
        var errors = new FieldErrors();
        var input = BillingRules.Profile(
            errors, true, false, 31,
            new Dictionary<string, decimal?> { ["minutes_outbound"] = 0.012345m, ["local_numbers"] = 0m },
            [new ItemInput("Hosted PBX seat", 3, 19.99m, "voip_seats")]);

        Assert.True(errors.IsEmpty);
        Assert.Equal(31, input!.BillingDay);
        Assert.Equal(TaxCategory.VoipSeats, Assert.Single(input.RecurringItems).TaxCategory);
    }

    [Fact]
    public void Profile_errors_name_each_bad_field()
    {
        var errors = new FieldErrors();
        var input = BillingRules.Profile(
            errors, null, true, 32,
            new Dictionary<string, decimal?> { ["minutes_outbound"] = 0.0000001m, ["unknown_product"] = 1m, ["local_numbers"] = -1m, ["sip_channels"] = null },
            [new ItemInput("", 0, 1m, "voip_seats"), new ItemInput("Seat", 1, 1m, "nope"), null]);

        Assert.Null(input);
        Assert.Equal(
            [
                "autoCharge", "billingDay", "prices.local_numbers", "prices.minutes_outbound", "prices.sip_channels", "prices.unknown_product",
                "recurringItems[0].description", "recurringItems[0].quantity", "recurringItems[1].taxCategory", "recurringItems[2]",
            ],
            errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("2026-10", true)]
    [InlineData("2026-11", false)]   // the current month is not closed
    [InlineData("2027-01", false)]
    [InlineData("2026-13", false)]
    public void Statements_are_for_closed_months_only(string period, bool valid)
    {
        var errors = new FieldErrors();
        var statement = BillingRules.Statement(errors, period, Now, 10m, new Dictionary<string, decimal?> { ["minutes_outbound"] = 100 });
        Assert.Equal(valid, statement is not null);
        Assert.Equal(!valid, errors.ToDictionary().ContainsKey("period"));
    }

    [Fact]
    public void Statement_quantities_are_known_products_at_or_above_zero()
    {
        var errors = new FieldErrors();
        BillingRules.Statement(
            errors, "2026-10", Now, -1m, new Dictionary<string, decimal?> { ["minutes_outbound"] = -5, ["bogus"] = 1, ["local_numbers"] = 0 });
        Assert.Equal(["quantities.bogus", "quantities.minutes_outbound", "usageTotal"], errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void One_time_items_are_products_by_quantity_or_fully_described_custom_items()
    {
        var errors = new FieldErrors();
        var items = BillingRules.OneTimeItems(errors, [
            new ItemInput(null, 2, null, null, "local_numbers"),
            new ItemInput("Support call", 1, 150m, "non_taxable"),
        ]);
        Assert.True(errors.IsEmpty);
        Assert.Equal(2, items!.Count);

        var bad = new FieldErrors();
        BillingRules.OneTimeItems(bad, [new ItemInput(null, 1, 5m, null, "local_numbers"), new ItemInput("x", 1, null, "voip_service")]);
        Assert.Equal(["items[0]", "items[1].unitPrice"], bad.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Statements_with_the_same_usage_are_the_same_content()
    {
        var a = new Statement(5m, new Dictionary<string, decimal> { ["minutes_outbound"] = 10, ["local_numbers"] = 0 });
        var b = new Statement(5.00m, new Dictionary<string, decimal> { ["minutes_outbound"] = 10.0m });
        var c = new Statement(5m, new Dictionary<string, decimal> { ["minutes_outbound"] = 11 });
        Assert.True(a.HasSameContent(b));
        Assert.False(a.HasSameContent(c));
    }
}
