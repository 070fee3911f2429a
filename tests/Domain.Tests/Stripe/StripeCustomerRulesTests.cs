using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Stripe;

namespace TenantBilling.Domain.Tests.Stripe;

/// <summary>The tenant's Stripe customer as rules: one customer per tenant and Stripe, whatever answers are lost.</summary>
public sealed class StripeCustomerRulesTests
{
    private const string TenantKey = "acct/t1";

    private static readonly TenantDetails Bob = new("Bob's Bakery", "+15125550100", "ap@bobs.example", "Bob Baker", "+15125550101",
        new PostalAddress("100 Congress Ave", null, "Austin", "TX", "78701", "US"));

    private static StripeCustomerState Taken(TenantDetails? details = null)
    {
        var customer = new StripeCustomerState();
        StripeCustomerRules.Take(customer, details ?? Bob);
        return customer;
    }

    private static StripeCustomerState Existing()
    {
        var customer = Taken();
        StripeCustomerRules.Created(customer, "cus_1", "key:k1", synced: true);
        return customer;
    }

    [Theory]
    [InlineData(false, false, CustomerAction.Find)]     // a create may have been sent by someone: look before creating
    [InlineData(false, true, CustomerAction.Create)]    // this activation knows none was sent since it listed
    public void A_customer_not_yet_known_is_looked_for_or_created(bool _, bool listedSinceLastCreate, CustomerAction expected) =>
        Assert.Equal(expected, StripeCustomerRules.Next(Taken(), listedSinceLastCreate));

    [Fact]
    public void A_record_never_written_is_unknown_until_the_tenants_data_arrives_and_then_says_a_create_may_follow_without_a_write()
    {
        var customer = new StripeCustomerState();
        Assert.True(StripeCustomerRules.Unknown(customer, recordStored: false));    // an earlier activation may have sent a create
        Assert.False(StripeCustomerRules.Unknown(customer, recordStored: true));    // the record says what was sent

        StripeCustomerRules.StartUnstored(customer, Bob);

        Assert.False(StripeCustomerRules.Unknown(customer, recordStored: false));
        Assert.Equal((true, "ap@bobs.example"), (customer.CreateSent, customer.CreateSentEmail));
        Assert.Equal(CustomerAction.Find, StripeCustomerRules.Next(customer, listedSinceLastCreate: false));
    }

    [Theory]
    [InlineData(false, true, false)]    // the first invoice's create: the invoice's stored hand-over stands in for the record
    [InlineData(false, false, true)]    // no invoice asks (a tool): the record is written first
    [InlineData(true, true, false)]     // the record names this email already
    [InlineData(true, false, false)]
    public void A_create_writes_the_record_first_only_when_nothing_else_says_it_may_have_been_sent(bool recordStored, bool byInvoice, bool expected) =>
        Assert.Equal(expected, StripeCustomerRules.RecordBeforeCreate(Taken(), Bob, recordStored, byInvoice));

    [Fact]
    public void A_create_carrying_another_email_than_the_record_names_writes_it_first_whoever_asks()
    {
        var customer = Taken();
        StripeCustomerRules.Take(customer, Bob with { BillingEmail = "accounts@bobs.example" });

        Assert.True(StripeCustomerRules.RecordBeforeCreate(customer, customer.Details!, recordStored: false, byInvoice: true));
        Assert.Equal("accounts@bobs.example", customer.CreateSentEmail);
    }

    [Fact]
    public void A_known_customer_is_ready_until_the_tenants_data_changes()
    {
        var customer = Existing();
        Assert.Equal(CustomerAction.Ready, StripeCustomerRules.Next(customer, false));
        Assert.True(StripeCustomerRules.IsReady(customer, "key:k1"));
        Assert.False(StripeCustomerRules.IsReady(customer, "key:other"));

        Assert.True(StripeCustomerRules.Take(customer, Bob with { Phone = "+15125550199" }));
        Assert.False(StripeCustomerRules.Take(customer, Bob with { Phone = "+15125550199" }));
        Assert.Equal(CustomerAction.Update, StripeCustomerRules.Next(customer, false));
        StripeCustomerRules.Updated(customer);
        Assert.Equal(CustomerAction.Ready, StripeCustomerRules.Next(customer, false));
    }

    [Fact]
    public void Data_changed_after_a_create_may_have_been_sent_keeps_the_email_that_create_carried()
    {
        var customer = Taken();
        Assert.Equal((true, "ap@bobs.example"), (customer.CreateSent, customer.CreateSentEmail));

        StripeCustomerRules.Take(customer, Bob with { BillingEmail = "accounts@bobs.example" });

        Assert.Equal("ap@bobs.example", customer.CreateSentEmail);
        Assert.True(StripeCustomerRules.CreateSending(customer, customer.Details!));   // the next create says its own email first
        Assert.Equal("accounts@bobs.example", customer.CreateSentEmail);
        Assert.False(StripeCustomerRules.CreateSending(customer, customer.Details!));
    }

    [Fact]
    public void Keys_change_with_the_generation_the_version_the_attempt_and_the_data_sent()
    {
        var customer = Taken();
        var create = StripeCustomerRules.CreateKey(customer, TenantKey);
        Assert.StartsWith("acct/t1:customer-0", create, StringComparison.Ordinal);

        Assert.False(StripeCustomerRules.Failed(customer, StripeFailureKind.Unknown));   // no answer keeps the key
        Assert.Equal(create, StripeCustomerRules.CreateKey(customer, TenantKey));
        Assert.True(StripeCustomerRules.Failed(customer, StripeFailureKind.ServerError));  // a 5xx spends it
        var afterServerError = StripeCustomerRules.CreateKey(customer, TenantKey);
        Assert.NotEqual(create, afterServerError);

        StripeCustomerRules.Take(customer, Bob with { Name = "Bob's Bread" });
        Assert.NotEqual(afterServerError, StripeCustomerRules.CreateKey(customer, TenantKey));

        StripeCustomerRules.Created(customer, "cus_1", "key:k1", synced: true);
        var update = StripeCustomerRules.UpdateKey(customer, TenantKey);
        StripeCustomerRules.Take(customer, Bob);
        Assert.NotEqual(update, StripeCustomerRules.UpdateKey(customer, TenantKey));   // data changed back is a new version, never an old update replayed
    }

    [Fact]
    public void A_customer_deleted_in_Stripe_is_forgotten_and_a_new_one_is_created_under_a_new_key()
    {
        var customer = Existing();
        var oldCreate = StripeCustomerRules.CreateKey(customer, TenantKey);

        Assert.False(StripeCustomerRules.GoneInStripe(customer, "parameter_invalid_string"));
        Assert.True(StripeCustomerRules.GoneInStripe(customer, StripeCustomerRules.ResourceMissing));

        Assert.Equal(((string?)null, 1, true), (customer.CustomerId, customer.Generation, customer.CreateSent));
        Assert.Equal(CustomerAction.Create, StripeCustomerRules.Next(customer, listedSinceLastCreate: true));
        Assert.NotEqual(oldCreate, StripeCustomerRules.CreateKey(customer, TenantKey));
        Assert.False(StripeCustomerRules.GoneInStripe(customer, StripeCustomerRules.ResourceMissing));   // nothing left to forget
    }

    [Fact]
    public void A_customer_of_another_Stripe_is_replaced()
    {
        var customer = Existing();

        Assert.False(StripeCustomerRules.InOtherStripe(customer, "key:k1"));
        Assert.True(StripeCustomerRules.InOtherStripe(customer, "connect:acct_2"));
        StripeCustomerRules.Forget(customer);
        Assert.False(StripeCustomerRules.InOtherStripe(customer, "connect:acct_2"));
    }
}
