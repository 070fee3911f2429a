using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.StripeSteps;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// The account connects a different Stripe while an invoice is on its way: before the invoice is final in
/// the first Stripe it starts over in the new one (new customer, new invoice, sent once); after, it can't be
/// finished in the new one and fails saying why, nothing going there; the first Stripe connected again, a
/// retry sends it there once. The switch lands in the middle of a step: the request before it is held at
/// Stripe while the account reconnects.
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class ConnectionChangeFaultTests(OneSiloStripeCluster cluster)
{
    [Fact]
    public async Task A_stripe_connected_before_the_invoice_was_final_gets_the_whole_invoice_once_and_the_first_keeps_only_a_draft()
    {
        var (scenario, oldAccount) = await StartAsync(cluster, includeTaxes: true);
        var invoiceKey = scenario.InvoiceKey(October);
        var newKey = $"sk_test_{Guid.NewGuid():N}";
        var newAccount = cluster.Stripe.PlatformAccountId(newKey);
        await WarmUpAsync(newKey);
        // The lines go to the first Stripe while the account connects the new one: the finalize that follows must not.
        var linesHeld = cluster.Stripe.InjectFault(new FaultRule(FaultKind.HeldBeforeWork)
        {
            Method = "POST", Path = "/v1/invoices/*/add_lines", AccountId = oldAccount,
            WhileHeld = () => ConnectAsync(scenario, newKey),
        });

        var preview = await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(invoiceKey);

        Assert.Equal(1, linesHeld.Fired);
        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        var left = Only(cluster, oldAccount, invoiceKey);
        Assert.DoesNotContain(cluster.Stripe.RequestLog, r => r.AccountId == newAccount && r.Path.Contains(left.Id, StringComparison.Ordinal));
        var sent = Only(cluster, newAccount, invoiceKey);
        var newCustomer = Assert.Single(cluster.Stripe.Customers(newAccount));
        Assert.Equal((invoice.StripeInvoiceId, newCustomer.Id, "open", 1), (sent.Id, sent.CustomerId, sent.Status, sent.SendCount));
        Assert.Equal(preview.Lines.Count, sent.Lines.Count);
        Assert.Equal((long)(preview.Total * 100), sent.Total);
        Assert.Equal(newCustomer.Id, (await scenario.Tenant.GetAsync())!.StripeCustomerId);

        // The first Stripe has the draft it was building, never finalized or sent.
        Assert.Equal(("draft", 0, null), (left.Status, left.SendCount, left.Number));

        // One fee and one tax record, for the invoice in the new Stripe; the taxes committed once.
        var ledger = cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, November));
        Assert.Equal(sent.Id, Assert.Single(await ledger.ListTaxesAsync()).StripeInvoiceId);
        await Eventually.TrueAsync(() => cluster.Taxes.Committed(invoiceKey) is not null, TimeSpan.FromSeconds(30));
        Assert.Equal(1, cluster.Taxes.CommitsAnswered(invoiceKey));
        NoInvalidRequests(cluster, oldAccount);
        NoInvalidRequests(cluster, newAccount);
    }

    [Fact]
    public async Task A_stripe_connected_after_the_invoice_was_final_fails_it_saying_why_and_reconnecting_the_first_sends_it_there_once()
    {
        var oldKey = $"sk_test_{Guid.NewGuid():N}";
        var (scenario, oldAccount) = await StartAsync(cluster, includeTaxes: true, secretKey: oldKey);
        var invoiceKey = scenario.InvoiceKey(October);
        var newKey = $"sk_test_{Guid.NewGuid():N}";
        var newAccount = cluster.Stripe.PlatformAccountId(newKey);
        await WarmUpAsync(newKey);
        var warmUpRequests = InvoiceRequests(newAccount);
        // The first Stripe finalizes it while the account connects the new one: the send that follows must not go there.
        var finalizeHeld = cluster.Stripe.InjectFault(new FaultRule(FaultKind.HeldBeforeWork)
        {
            Method = "POST", Path = "/v1/invoices/*/finalize", AccountId = oldAccount,
            WhileHeld = () => ConnectAsync(scenario, newKey),
        });

        await StripeBillingCluster.BillAsync(scenario, October, usageTotal: 3m);   // under the $5 threshold: a phantom fee
        var failed = await cluster.SettledAsync(invoiceKey);

        Assert.Equal(1, finalizeHeld.Fired);
        Assert.Equal(InvoiceStatus.Failed, failed.Status);
        Assert.Contains("connected a different Stripe after this invoice was finalized", failed.FailureReason, StringComparison.Ordinal);
        var finalized = Only(cluster, oldAccount, invoiceKey);
        Assert.Equal(("open", 0), (finalized.Status, finalized.SendCount));
        Assert.Equal(warmUpRequests, InvoiceRequests(newAccount));   // none of the invoice's requests went to the new Stripe

        // A retry while the new Stripe is connected fails the same way and sends nothing anywhere.
        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(invoiceKey).RetryAsync();
        Assert.Equal(InvoiceStatus.Failed, (await cluster.SettledAsync(invoiceKey)).Status);
        Assert.Equal(0, Only(cluster, oldAccount, invoiceKey).SendCount);
        Assert.Empty(cluster.Stripe.Invoices(newAccount));

        // The account connects the first Stripe again: the retry sends the finalized invoice there, once.
        await ConnectAsync(scenario, oldKey);
        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(invoiceKey).RetryAsync();
        var sent = await cluster.SettledAsync(invoiceKey);

        Assert.Equal((InvoiceStatus.Sent, finalized.Id, finalized.Number), (sent.Status, sent.StripeInvoiceId, sent.Number));
        var delivered = Only(cluster, oldAccount, invoiceKey);
        Assert.Equal(("open", 1), (delivered.Status, delivered.SendCount));
        Assert.Empty(cluster.Stripe.Invoices(newAccount));

        // Final in the first Stripe: its fee and taxes recorded once, for that invoice; the taxes committed once.
        var ledger = cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, November));
        Assert.Equal(finalized.Id, Assert.Single(await ledger.ListFeesAsync(), f => f.InvoiceKey == invoiceKey).StripeInvoiceId);
        Assert.Equal(finalized.Id, Assert.Single(await ledger.ListTaxesAsync(), t => t.InvoiceKey == invoiceKey).StripeInvoiceId);
        await Eventually.TrueAsync(() => cluster.Taxes.Committed(invoiceKey) is not null, TimeSpan.FromSeconds(30));
        Assert.Equal(1, cluster.Taxes.CommitsAnswered(invoiceKey));
        NoInvalidRequests(cluster, oldAccount);
    }

    /// <summary>
    /// Spends the fake's first-request faults in the new Stripe: on its account read, so connecting it while a
    /// request is held takes one read and the held request is answered within the product's timeout; and on the
    /// invoice routes a request sent there by mistake would take, so it meets Stripe's own answer (no such
    /// invoice) rather than a 500 the product would retry past.
    /// </summary>
    private async Task WarmUpAsync(string secretKey)
    {
        var client = StripeReader.For(cluster.Stripe.ApiBase, secretKey);
        await client.V1.Accounts.GetSelfAsync();
        await client.V1.Invoices.ListAsync(new global::Stripe.InvoiceListOptions { Customer = "cus_warm_up" });
        foreach (var call in new Func<Task>[]
        {
            () => client.V1.Invoices.GetAsync("in_warm_up"),
            () => client.V1.Invoices.FinalizeInvoiceAsync("in_warm_up"),
            () => client.V1.Invoices.SendInvoiceAsync("in_warm_up"),
            () => client.V1.Invoices.PayAsync("in_warm_up"),
        })
        {
            await Assert.ThrowsAsync<global::Stripe.StripeException>(call);   // no such invoice
        }
    }

    private int InvoiceRequests(string stripeAccount) =>
        cluster.Stripe.RequestLog.Count(r => r.AccountId == stripeAccount && r.Path.StartsWith("/v1/invoices", StringComparison.Ordinal));

    private async Task ConnectAsync(Scenario scenario, string secretKey) =>
        await cluster.Grains.GetGrain<IAccountGrain>(scenario.AccountId).ConnectStripeAsync(new StripeCredentials(null, secretKey));
}
