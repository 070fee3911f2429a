using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests;

/// <summary>Failures between steps never skip an invoice, send one twice, or lose a fee.</summary>
[Collection(StripeClusterTests.Name)]
public sealed class FailureRecoveryTests(OneSiloStripeCluster cluster)
{
    private const string October = "2026-10";

    private async Task<(Scenario Scenario, string StripeAccount)> StartAsync(bool autoCharge = false, string? secretKey = null)
    {
        cluster.Clock.Set(Utc(2026, 10, 5));
        var started = await cluster.StartAsync(autoCharge, secretKey: secretKey);
        cluster.Clock.Set(Utc(2026, 11, 21, 8));
        return started;
    }

    [Fact]
    public async Task A_statement_whose_write_failed_is_accepted_as_new_when_sent_again_and_gets_billed()
    {
        var (scenario, account) = await StartAsync();
        cluster.Faults.FailNextWrite("tenant", scenario.AccountId);

        await Assert.ThrowsAnyAsync<Exception>(() => scenario.Tenant.AcceptStatementAsync(October, Usage(100)));
        var again = await scenario.Tenant.AcceptStatementAsync(October, Usage(100));

        Assert.Equal(StatementOutcome.Created, again.Outcome);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));
        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.Single(cluster.Stripe.Invoices(account));
    }

    [Fact]
    public async Task A_hand_over_whose_write_failed_is_taken_again_and_the_invoice_is_sent_once()
    {
        var (scenario, account) = await StartAsync();
        var firedBefore = cluster.Faults.Fired;
        cluster.Faults.FailNextWrite("invoice", scenario.AccountId);

        await StripeBillingCluster.BillAsync(scenario, October);
        await scenario.FireReminderAsync();
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));
        await scenario.FireReminderAsync();   // later ticks find nothing left to send
        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).ResumeAsync();

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.Equal(firedBefore + 1, cluster.Faults.Fired);
        var sent = Assert.Single(cluster.Stripe.Invoices(account));
        Assert.Equal((invoice.StripeInvoiceId, "open", "send_invoice"), (sent.Id, sent.Status, sent.CollectionMethod));
        Assert.Equal(1, sent.SendCount);   // the customer got one email
    }

    [Fact]
    public async Task A_fee_whose_ledger_call_failed_is_recorded_once_on_the_next_run()
    {
        var (scenario, _) = await StartAsync();
        cluster.Faults.FailNextCall(nameof(IAccountLedgerGrain.RecordPhantomFeeAsync));

        await StripeBillingCluster.BillAsync(scenario, October, usageTotal: 1m);
        var ledger = cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, "2026-11"));
        await Eventually.TrueAsync(async () => (await ledger.ListFeesAsync()).Count == 1, TimeSpan.FromSeconds(30));

        Assert.Equal(InvoiceStatus.Sent, (await cluster.SettledAsync(scenario.InvoiceKey(October))).Status);
        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).ResumeAsync();
        Assert.Single(await ledger.ListFeesAsync());
    }

    [Fact]
    public async Task An_auto_charge_invoice_without_a_card_is_emailed_even_when_its_create_answer_was_lost()
    {
        var (scenario, account) = await StartAsync(autoCharge: true);
        cluster.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/invoices", AccountId = account });

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.NotNull(invoice.Note);
        Assert.Equal("send_invoice", Assert.Single(cluster.Stripe.Invoices(account)).CollectionMethod);
    }

    [Fact]
    public async Task An_invoice_with_nothing_to_bill_goes_nowhere_and_costs_no_fee()
    {
        var (scenario, account) = await StartAsync();
        cluster.Clock.Set(Utc(2026, 10, 6));
        await scenario.Tenant.SetBillingProfileAsync(new BillingProfileInput(false, false, 20, new Dictionary<string, decimal> { ["minutes_outbound"] = 0.02m }, []));
        cluster.Clock.Set(Utc(2026, 11, 21, 8));

        await scenario.Tenant.AcceptStatementAsync(October, new Statement(0m, new Dictionary<string, decimal>()));
        await scenario.FireReminderAsync();
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(InvoiceStatus.NothingToBill, invoice.Status);
        Assert.Empty(cluster.Stripe.Invoices(account));
        Assert.Empty(await cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, "2026-11")).ListFeesAsync());
    }

    [Fact]
    public async Task After_connecting_a_different_stripe_the_next_invoice_goes_to_a_new_customer_there()
    {
        var (scenario, oldAccount) = await StartAsync();
        await StripeBillingCluster.BillAsync(scenario, October);
        await cluster.SettledAsync(scenario.InvoiceKey(October));

        var newKey = $"sk_test_{Guid.NewGuid():N}";
        await cluster.Grains.GetGrain<IAccountGrain>(scenario.AccountId).ConnectStripeAsync(new StripeCredentials(null, newKey));
        cluster.Clock.Set(Utc(2026, 12, 21, 8));
        await StripeBillingCluster.BillAsync(scenario, "2026-11");
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey("2026-11"));

        var newAccount = cluster.Stripe.PlatformAccountId(newKey);
        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.Single(cluster.Stripe.Invoices(newAccount));
        Assert.Single(cluster.Stripe.Customers(newAccount));
        Assert.Single(cluster.Stripe.Invoices(oldAccount));
    }

    [Fact]
    public async Task A_tenant_email_changed_back_and_forth_ends_as_the_last_one_in_stripe()
    {
        var (scenario, account) = await StartAsync();
        await StripeBillingCluster.BillAsync(scenario, October);
        await cluster.SettledAsync(scenario.InvoiceKey(October));
        var details = (await scenario.Tenant.GetAsync())!.Details;
        var customerId = Assert.Single(cluster.Stripe.Customers(account)).Id;

        foreach (var email in new[] { "b@bobs.example", details.BillingEmail, "b@bobs.example" })
        {
            await scenario.Tenant.SaveDetailsAsync(details with { BillingEmail = email });
            await Eventually.TrueAsync(() => cluster.Stripe.FindCustomer(account, customerId)!.Email == email, TimeSpan.FromSeconds(10));
        }

        Assert.Equal("b@bobs.example", cluster.Stripe.FindCustomer(account, customerId)!.Email);
    }
}
