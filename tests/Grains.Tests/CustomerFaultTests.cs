using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.Scenario;
using static TenantBilling.Grains.Tests.Support.StripeSteps;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// The tenant's Stripe customer when Stripe fails: a create or update that fails before its work, whose
/// answer is lost or late, or a customer the reseller deleted in Stripe between two invoices. Each ends
/// with one customer for the tenant, carrying its current data, and each invoice once.
/// (A create or an update answered 500 after its work is in <see cref="StripeAsItIsTests"/>.)
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class CustomerFaultTests(OneSiloStripeCluster cluster)
{
    /// <summary>Every fault but a 500 after the work (that one is Stripe as it is, tested there).</summary>
    public static TheoryData<FaultKind> Faults =>
    [
        FaultKind.ServerErrorBeforeWork,
        FaultKind.TimeoutBeforeWork,
        FaultKind.TimeoutAfterWork,
        FaultKind.DropConnectionBeforeWork,
        FaultKind.DropConnectionAfterWork,
    ];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_customer_create_that_failed_or_lost_its_answer_leaves_one_customer_and_the_invoice_goes_to_it(FaultKind fault)
    {
        var (scenario, account) = await StartAsync(cluster);
        var create = Inject(cluster, account, fault, "/v1/customers");

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(1, create.Fired);
        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        var customer = Assert.Single(cluster.Stripe.Customers(account));
        Assert.Equal(GrainKeys.Tenant(scenario.AccountId, scenario.TenantId), customer.Metadata[CustomerMapping.TenantKeyMetadata]);
        Assert.Equal(customer.Id, Only(cluster, account, scenario.InvoiceKey(October)).CustomerId);
        Assert.Equal(customer.Id, (await scenario.Tenant.GetAsync())!.StripeCustomerId);
        NoInvalidRequests(cluster, account);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_customer_update_that_failed_or_lost_its_answer_is_made_before_the_next_invoice_which_goes_to_the_new_email(FaultKind fault)
    {
        var (scenario, account) = await StartAsync(cluster);
        var (_, customerId) = await OctoberSentAsync(scenario, account);
        var update = Inject(cluster, account, fault, "/v1/customers/*");

        // The tenant's billing email changes: the update in the background meets the fault.
        await ChangeBillingEmailAsync(scenario, "accounts@bobs.example");
        await Eventually.TrueAsync(() => update.Fired == 1, TimeSpan.FromSeconds(10));
        var november = await NovemberSettledAsync(scenario);

        Assert.Equal(InvoiceStatus.Sent, november.Status);
        Assert.Equal("accounts@bobs.example", Assert.Single(cluster.Stripe.Customers(account)).Email);
        var sent = await cluster.StripeClient(account).V1.Invoices.GetAsync(november.StripeInvoiceId);
        Assert.Equal((customerId, "accounts@bobs.example"), (sent.CustomerId, sent.CustomerEmail));   // the email Stripe sent November's invoice to
        NoInvalidRequests(cluster, account);
    }

    [Fact]
    public async Task A_customer_deleted_in_stripe_between_invoices_fails_the_next_invoice_visibly_and_its_retry_goes_to_a_new_customer()
    {
        var (scenario, account) = await StartAsync(cluster);
        var (october, deleted) = await OctoberSentAsync(scenario, account);
        await DeleteInStripeAsync(account, deleted);

        var failed = await NovemberSettledAsync(scenario);

        Assert.Equal(InvoiceStatus.Failed, failed.Status);
        Assert.Contains("No such customer", failed.FailureReason, StringComparison.Ordinal);
        Assert.DoesNotContain(cluster.Stripe.Invoices(account), i => i.Metadata.GetValueOrDefault(StripeGateway.InvoiceKeyMetadata) == scenario.InvoiceKey(November));

        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(November)).RetryAsync();
        var sent = await cluster.SettledAsync(scenario.InvoiceKey(November));

        Assert.Equal(InvoiceStatus.Sent, sent.Status);
        var replacement = Assert.Single(cluster.Stripe.Customers(account));
        Assert.NotEqual(deleted, replacement.Id);
        Assert.Equal(("Bob's Bakery", "ap@bobs.example"), (replacement.Description, replacement.Email));
        Assert.Equal(replacement.Id, Only(cluster, account, scenario.InvoiceKey(November)).CustomerId);
        Assert.Equal(replacement.Id, (await scenario.Tenant.GetAsync())!.StripeCustomerId);
        Assert.Equal((deleted, "open"), (Only(cluster, account, scenario.InvoiceKey(October)).CustomerId, cluster.Stripe.FindInvoice(account, october.StripeInvoiceId!)!.Status));
    }

    [Fact]
    public async Task A_customer_deleted_in_stripe_whose_tenant_then_changed_is_replaced_by_the_update_and_the_next_invoice_goes_to_the_new_one()
    {
        var (scenario, account) = await StartAsync(cluster);
        var (october, deleted) = await OctoberSentAsync(scenario, account);
        await DeleteInStripeAsync(account, deleted);

        // The change's update meets the deleted customer (in the background, or before November's invoice at the
        // latest): the update's 404 says the customer is gone, so a new one is created with the new data at once.
        await ChangeBillingEmailAsync(scenario, "accounts@bobs.example");
        var sent = await NovemberSettledAsync(scenario);

        Assert.Equal(InvoiceStatus.Sent, sent.Status);
        var replacement = Assert.Single(cluster.Stripe.Customers(account));
        Assert.NotEqual(deleted, replacement.Id);
        Assert.Equal("accounts@bobs.example", replacement.Email);
        Assert.Equal(replacement.Id, Only(cluster, account, scenario.InvoiceKey(November)).CustomerId);
        Assert.Equal(deleted, Only(cluster, account, scenario.InvoiceKey(October)).CustomerId);   // October's invoice stays with the customer it was sent to
        Assert.Equal(InvoiceStatus.Sent, october.Status);
    }

    [Fact]
    public async Task A_hand_over_repeated_after_one_not_recorded_tells_the_customer_a_create_may_have_been_sent_so_it_is_found_not_made_again()
    {
        var (scenario, account, held) = await HeldOctoberAsync(failTenantWrite: true);
        await LostCreateAsync(scenario, account);
        await DeactivateAllAsync();

        await scenario.Tenant.HandOverDueAsync();   // the alarm again: the tenant's record does not say it handed October over
        var invoice = await ReleaseAsync(scenario, held);

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        var only = Assert.Single(cluster.Stripe.Customers(account));
        Assert.Equal(only.Id, Only(cluster, account, scenario.InvoiceKey(October)).CustomerId);
        NoInvalidRequests(cluster, account);
    }

    [Fact]
    public async Task A_billing_email_changed_after_a_lost_first_create_with_nothing_stored_still_finds_that_customer_and_moves_it_to_the_new_email()
    {
        var (scenario, account, held) = await HeldOctoberAsync(failTenantWrite: false);
        await LostCreateAsync(scenario, account);
        await DeactivateAllAsync();

        await ChangeBillingEmailAsync(scenario, "accounts@bobs.example");
        var invoice = await ReleaseAsync(scenario, held);

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        var only = Assert.Single(cluster.Stripe.Customers(account));
        Assert.Equal("accounts@bobs.example", only.Email);
        Assert.Equal(only.Id, Only(cluster, account, scenario.InvoiceKey(October)).CustomerId);
        NoInvalidRequests(cluster, account);
    }

    /// <summary>
    /// October handed over on its billing day while the account's Stripe is disconnected, so its invoice is held
    /// before it asks for the customer; <paramref name="failTenantWrite"/>: the tenant's record of the hand-over fails.
    /// </summary>
    private async Task<(Scenario Scenario, string Account, string SecretKey)> HeldOctoberAsync(bool failTenantWrite)
    {
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        cluster.Clock.Set(Utc(2026, 10, 5));
        var (scenario, account) = await cluster.StartAsync(secretKey: secretKey);
        await cluster.Grains.GetGrain<IAccountGrain>(scenario.AccountId).DisconnectStripeAsync();
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync(October, Usage(1000));   // due on November 20
        cluster.Clock.Set(Utc(2026, 11, 21, 8));
        if (failTenantWrite)
        {
            cluster.Faults.FailNextWrite("tenant", scenario.AccountId);
            await Assert.ThrowsAnyAsync<Exception>(() => scenario.Tenant.HandOverDueAsync());
        }
        else
        {
            await scenario.Tenant.HandOverDueAsync();
        }

        var invoice = cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October));
        await Eventually.TrueAsync(async () => (await invoice.GetSummaryAsync())?.Status == InvoiceStatus.Held, TimeSpan.FromSeconds(10));
        Assert.Empty(cluster.Stripe.Customers(account));
        return (scenario, account, secretKey);
    }

    /// <summary>
    /// Stripe has the customer a create of the handed-over invoice made, whose answer was lost with the customer's
    /// activation: nothing of it is stored (the create is the customer's first write).
    /// </summary>
    private async Task LostCreateAsync(Scenario scenario, string account)
    {
        var tenantKey = GrainKeys.Tenant(scenario.AccountId, scenario.TenantId);
        var details = (await scenario.Tenant.GetAsync())!.Details;
        try
        {
            await cluster.StripeClient(account).V1.Customers.CreateAsync(new global::Stripe.CustomerCreateOptions
            {
                Name = details.Name, Email = details.BillingEmail, Metadata = new Dictionary<string, string> { [CustomerMapping.TenantKeyMetadata] = tenantKey },
            });
        }
        catch (global::Stripe.StripeException)
        {
            // The fake's first-request fault on the route answers 500 after the work.
        }

        Assert.Single(cluster.Stripe.Customers(account));
        Assert.Equal(0, cluster.Faults.Writes("stripe-customer", tenantKey));
    }

    /// <summary>The account's Stripe connected again and its held invoice released; October once it settles.</summary>
    private async Task<InvoiceSummary> ReleaseAsync(Scenario scenario, string secretKey)
    {
        var connected = await cluster.Grains.GetGrain<IAccountGrain>(scenario.AccountId).ConnectStripeAsync(new StripeCredentials(null, secretKey));
        await Task.WhenAll(connected.HeldInvoiceKeys.Select(k => cluster.Grains.GetGrain<IStripeInvoiceGrain>(k).ResumeAsync()));
        return await cluster.SettledAsync(scenario.InvoiceKey(October));
    }

    /// <summary>Deactivates every idle activation, as a silo does under memory pressure or on shutdown: what was not stored is gone.</summary>
    private Task DeactivateAllAsync() => cluster.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);

    /// <summary>October billed and settled, and the one Stripe customer the tenant has.</summary>
    private async Task<(InvoiceSummary October, string CustomerId)> OctoberSentAsync(Scenario scenario, string account)
    {
        await StripeBillingCluster.BillAsync(scenario, October);
        var october = await cluster.SettledAsync(scenario.InvoiceKey(October));
        return (october, Assert.Single(cluster.Stripe.Customers(account)).Id);
    }

    /// <summary>The tenant's billing email changes (the customer grain updates Stripe in the background).</summary>
    private static async Task ChangeBillingEmailAsync(Scenario scenario, string email)
    {
        var details = (await scenario.Tenant.GetAsync())!.Details;
        await scenario.Tenant.SaveDetailsAsync(details with { BillingEmail = email });
    }

    /// <summary>November billed on December 21 and settled.</summary>
    private async Task<InvoiceSummary> NovemberSettledAsync(Scenario scenario)
    {
        cluster.Clock.Set(Utc(2026, 12, 21, 8));
        await StripeBillingCluster.BillAsync(scenario, November);
        return await cluster.SettledAsync(scenario.InvoiceKey(November));
    }

    /// <summary>The reseller deletes the customer in its Stripe Dashboard.</summary>
    private async Task DeleteInStripeAsync(string account, string customerId)
    {
        try
        {
            await cluster.StripeClient(account).V1.Customers.DeleteAsync(customerId);
        }
        catch (global::Stripe.StripeException)
        {
            // The fake's first-request fault on the route answers 500 after deleting; the retry finds nothing left to delete.
        }

        Assert.Null(cluster.Stripe.FindCustomer(account, customerId));
    }
}
