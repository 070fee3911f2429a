using TenantBilling.Grains.Domain;
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
/// The behaviours of real Stripe the pipeline must meet, each against the fake's rule for it: the minimum
/// charge, saved 500s and idempotency errors, lagging search, inherited currency and coupons, legacy cards,
/// the maximum charge. (Every test also meets the fake's first-request fault on every route.)
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class StripeAsItIsTests(OneSiloStripeCluster cluster)
{
    [Theory]
    [InlineData("1.20", 20, "minimum charge")]        // $1.20 less the customer's $1.00 credit: $0.20 due, under Stripe's $0.50
    [InlineData("0.80", 0, "credit balance")]         // the credit covers it all
    public async Task An_invoice_stripe_marks_paid_at_finalization_is_never_charged_and_says_why(string amount, long due, string why)
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge: true);
        var customerId = await SavedCustomerAsync(cluster, scenario);
        cluster.Stripe.AttachCard(account, customerId, FakeCard.Visa);
        // A first invoice meets the fake's first-request faults (a lost finalize answer is read back instead).
        var first = await scenario.Tenant.SendOneTimeInvoiceAsync("setup", [new(null, "Setup", 1, 25m, TaxCategory.NonTaxable)]);
        Assert.Equal(InvoiceStatus.Paid, (await cluster.SettledAsync(first.InvoiceKey)).Status);
        cluster.Stripe.SetCustomerBalance(account, customerId, -100);
        var paysBefore = cluster.Stripe.RequestLog.Count(r => r.AccountId == account && r.Route == "POST /v1/invoices/{id}/pay");

        var handed = await scenario.Tenant.SendOneTimeInvoiceAsync("small", [new(null, "Number port fee", 1, decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), TaxCategory.NonTaxable)]);
        var invoice = await cluster.SettledAsync(handed.InvoiceKey);

        Assert.Equal(InvoiceStatus.Paid, invoice.Status);
        Assert.Contains(why, invoice.Note, StringComparison.Ordinal);
        var inStripe = cluster.Stripe.FindInvoice(account, invoice.StripeInvoiceId!)!;
        Assert.Equal(("paid", 0L, 0L), (inStripe.Status, inStripe.AmountPaid, inStripe.AmountDue));
        Assert.Equal(due > 0, inStripe.PaidBelowMinimum);
        Assert.Equal(paysBefore, cluster.Stripe.RequestLog.Count(r => r.AccountId == account && r.Route == "POST /v1/invoices/{id}/pay"));
        Assert.Equal(due > 0 ? due : -100 + 80, cluster.Stripe.FindCustomer(account, customerId)!.Balance);   // carried to the next invoice, or credit left
    }

    [Fact]
    public async Task A_customer_whose_saved_card_is_a_legacy_default_source_is_charged()
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge: true);
        var customerId = await SavedCustomerAsync(cluster, scenario);
        var card = cluster.Stripe.AttachCard(account, customerId, FakeCard.Visa, style: SavedCardStyle.LegacySource);

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal((card, null), (cluster.Stripe.FindCustomer(account, customerId)!.DefaultSourceId, cluster.Stripe.FindCustomer(account, customerId)!.DefaultPaymentMethodId));
        Assert.Equal(InvoiceStatus.Paid, invoice.Status);
        Assert.Null(invoice.Note);
        var paid = Assert.Single(cluster.Stripe.Invoices(account));
        Assert.Equal(("charge_automatically", "paid", paid.AmountDue), (paid.CollectionMethod, paid.Status, paid.AmountPaid));
    }

    [Fact]
    public async Task An_invoice_is_in_dollars_without_the_customers_coupon_whatever_the_accounts_and_customers_defaults()
    {
        var (scenario, account) = await StartAsync(cluster, includeTaxes: true);
        cluster.Stripe.SetDefaultCurrency(account, "cad");   // a reseller whose Stripe account is Canadian

        var preview = await StripeBillingCluster.BillAsync(scenario, October);
        await cluster.SettledAsync(scenario.InvoiceKey(October));

        var customer = Assert.Single(cluster.Stripe.Customers(account));
        Assert.Equal(10m, customer.DiscountPercentOff);      // the fake gives every customer a coupon, as a Dashboard may
        var invoice = Assert.Single(cluster.Stripe.Invoices(account));
        Assert.Equal(("usd", false, 0L), (invoice.Currency, invoice.Discounted, invoice.TotalDiscount));
        Assert.Equal(Money.ToCents(preview.Total), invoice.Total);
        Assert.All(invoice.Lines, l => Assert.False(l.Discountable));
    }

    [Fact]
    public async Task A_customer_create_answered_500_then_changed_data_makes_one_customer_and_never_an_idempotency_error()
    {
        var (scenario, account) = await StartAsync(cluster);
        // The create runs and its 500 is what the key replays; listing fails until the tenant's data has changed.
        var create = cluster.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/customers", AccountId = account });
        var listing = cluster.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork) { Method = "GET", Path = "/v1/customers", AccountId = account, Count = null });

        await StripeBillingCluster.BillAsync(scenario, October);
        await Eventually.TrueAsync(() => create.Fired == 1 && listing.Fired >= 1, TimeSpan.FromSeconds(30));
        var details = (await scenario.Tenant.GetAsync())!.Details;
        await scenario.Tenant.SaveDetailsAsync(details with { BillingEmail = "accounts@bobs.example" });
        listing.Remove();
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        var customer = Assert.Single(cluster.Stripe.Customers(account));
        Assert.Equal("accounts@bobs.example", customer.Email);
        Assert.Single(cluster.Stripe.Invoices(account));
        Assert.DoesNotContain(cluster.Stripe.RequestLog, r => r.AccountId == account && r.Status == 400);
    }

    [Fact]
    public async Task A_customer_update_answered_500_is_sent_again_under_a_new_key_not_replayed_for_a_day()
    {
        var (scenario, account) = await StartAsync(cluster);
        await StripeBillingCluster.BillAsync(scenario, October);
        await cluster.SettledAsync(scenario.InvoiceKey(October));
        var customerId = Assert.Single(cluster.Stripe.Customers(account)).Id;
        var update = cluster.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/customers/*", AccountId = account });

        var details = (await scenario.Tenant.GetAsync())!.Details;
        await scenario.Tenant.SaveDetailsAsync(details with { Name = "Bob's Bakery & Cafe" });
        await Eventually.TrueAsync(() => update.Fired == 1, TimeSpan.FromSeconds(10));
        cluster.Clock.Set(Utc(2026, 12, 21, 8));
        await StripeBillingCluster.BillAsync(scenario, "2026-11");
        var november = await cluster.SettledAsync(scenario.InvoiceKey("2026-11"));

        Assert.Equal(InvoiceStatus.Sent, november.Status);
        Assert.Equal("Bob's Bakery & Cafe", cluster.Stripe.FindCustomer(account, customerId)!.Description);
        var updates = cluster.Stripe.RequestLog.Where(r => r.AccountId == account && r.Route == "POST /v1/customers/{id}").ToList();
        Assert.Equal(updates.Count, updates.Select(r => r.IdempotencyKey).Distinct().Count());   // no key was sent again after its 500
    }

    [Fact]
    public async Task A_stray_draft_carrying_our_key_is_deleted_and_only_ours_is_finalized_though_search_lags()
    {
        var (scenario, account) = await StartAsync(cluster);
        var customerId = await SavedCustomerAsync(cluster, scenario);
        // A draft an earlier attempt made for this invoice key (e.g. a create Stripe finished after our client gave up).
        try
        {
            await cluster.StripeClient(account).V1.Invoices.CreateAsync(new global::Stripe.InvoiceCreateOptions
            {
                Customer = customerId, CollectionMethod = "send_invoice", DaysUntilDue = 30,
                Metadata = new() { [StripeGateway.InvoiceKeyMetadata] = scenario.InvoiceKey(October) },
            });
        }
        catch (global::Stripe.StripeException)
        {
            // The fake's first-request fault on the route: a 500 after the draft was made.
        }

        var stray = Assert.Single(cluster.Stripe.Invoices(account));
        cluster.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/invoices", AccountId = account });

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        var only = Assert.Single(cluster.Stripe.Invoices(account));     // search would still show neither (a minute's lag)
        Assert.Equal((only.Id, "open", 1), (invoice.StripeInvoiceId, only.Status, only.SendCount));
        Assert.Contains(cluster.Stripe.RequestLog, r => r.AccountId == account && r.Method == "DELETE");
        Assert.DoesNotContain(cluster.Stripe.RequestLog, r => r.AccountId == account && r.Route == "GET /v1/invoices/search");
        Assert.NotNull(stray.Id);
    }

    [Fact]
    public async Task A_one_time_invoice_over_stripes_maximum_is_a_422_and_nothing_reaches_stripe()
    {
        var (scenario, account) = await StartAsync(cluster);
        var requestsBefore = cluster.Stripe.Counters.RequestsByAccount.GetValueOrDefault(account);

        var refused = await Assert.ThrowsAsync<BillingProblemException>(() =>
            scenario.Tenant.SendOneTimeInvoiceAsync("huge", [new(null, "Data centre build-out", 1, 1_000_000m, TaxCategory.NonTaxable)]));

        Assert.Equal(ProblemKind.Unprocessable, refused.Kind);
        Assert.Contains("$999,999.99", refused.Title, StringComparison.Ordinal);
        Assert.Equal(requestsBefore, cluster.Stripe.Counters.RequestsByAccount.GetValueOrDefault(account));
        Assert.Empty(await scenario.Tenant.ListInvoicesAsync());
    }

    [Fact]
    public async Task A_monthly_invoice_over_stripes_maximum_fails_visibly_at_once_and_cannot_be_retried()
    {
        var (scenario, account) = await StartAsync(cluster);

        // 80,000,000 minutes × $0.0125 = $1,000,000.00, plus the seats.
        await StripeBillingCluster.BillAsync(scenario, October, minutes: 80_000_000);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(InvoiceStatus.Failed, invoice.Status);
        Assert.Contains("more than Stripe can charge", invoice.FailureReason, StringComparison.Ordinal);
        Assert.Empty(cluster.Stripe.Invoices(account));
        var retry = await Assert.ThrowsAsync<BillingProblemException>(() => cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).RetryAsync());
        Assert.Equal(ProblemKind.Conflict, retry.Kind);
    }
}
