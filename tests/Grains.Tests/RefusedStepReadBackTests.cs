using Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.StripeSandbox;
using static TenantBilling.Grains.Tests.Support.StripeSteps;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// Stripe refuses a step because the invoice already went past it there: a second activation of the invoice
/// (while a killed silo is being voted dead) finalized or charged it under its own key. The refusal ("already
/// finalized", "already paid") is no failure: the invoice is read back and goes on from what Stripe shows,
/// delivered once, its phantom fee recorded once. The other activation's request runs while ours is held.
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class RefusedStepReadBackTests(OneSiloStripeCluster cluster)
{
    [Fact]
    public async Task A_finalize_refused_because_the_invoice_was_finalized_meanwhile_is_read_back_and_the_invoice_sent_once_with_its_fee()
    {
        var (scenario, account) = await StartAsync(cluster);
        var invoiceKey = scenario.InvoiceKey(October);
        var finalize = cluster.Stripe.InjectFault(new FaultRule(FaultKind.HeldBeforeWork)
        {
            Method = "POST", Path = "/v1/invoices/*/finalize", AccountId = account, Count = 1,
            WhileHeld = () => OtherActivationAsync(account, (invoices, id, key) =>
                invoices.FinalizeInvoiceAsync(id, new InvoiceFinalizeOptions { AutoAdvance = false }, key)),
        });

        await StripeBillingCluster.BillAsync(scenario, October, usageTotal: 3m);   // under the $5 threshold: a phantom fee
        var invoice = await cluster.SettledAsync(invoiceKey);

        Assert.Equal(1, finalize.Fired);
        Assert.Single(cluster.Stripe.RequestLog, r => r.AccountId == account && r.Route == "POST /v1/invoices/{id}/finalize" && r.Status == 400);
        Assert.Equal((InvoiceStatus.Sent, null), (invoice.Status, invoice.FailureReason));
        var sent = Only(cluster, account, invoiceKey);
        Assert.Equal(("open", 1, sent.Id), (sent.Status, sent.SendCount, invoice.StripeInvoiceId));
        var ledger = cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, November));
        Assert.Equal(sent.Id, Assert.Single(await ledger.ListFeesAsync(), f => f.InvoiceKey == invoiceKey).StripeInvoiceId);
    }

    [Fact]
    public async Task A_charge_refused_because_the_invoice_was_paid_meanwhile_is_read_back_as_paid_and_charged_once()
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge: true);
        await SavedCardAsync(cluster, scenario, account, FakeCard.Visa);
        var invoiceKey = scenario.InvoiceKey(October);
        var pay = cluster.Stripe.InjectFault(new FaultRule(FaultKind.HeldBeforeWork)
        {
            Method = "POST", Path = "/v1/invoices/*/pay", AccountId = account, Count = 1,
            WhileHeld = () => OtherActivationAsync(account, (invoices, id, key) => invoices.PayAsync(id, new InvoicePayOptions(), key)),
        });

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(invoiceKey);

        Assert.Equal(1, pay.Fired);
        Assert.Single(cluster.Stripe.RequestLog, r => r.AccountId == account && r.Route == "POST /v1/invoices/{id}/pay" && r.Status == 400);
        Assert.Equal((InvoiceStatus.Paid, null), (invoice.Status, invoice.FailureReason));
        var paid = Only(cluster, account, invoiceKey);
        Assert.Equal(("paid", 1L), (paid.Status, paid.AttemptCount));
        Assert.Equal(paid.AmountDue, paid.AmountPaid);
    }

    /// <summary>
    /// The other activation's request on the account's one invoice, under its own key. The fake fails a route's
    /// first write with a 500 after its work, so that answer is taken as done (the work is); no retries, so our
    /// held request is still waiting when it ends.
    /// </summary>
    private async Task OtherActivationAsync(string account, Func<InvoiceService, string, RequestOptions, Task> request)
    {
        var client = new StripeClient(new StripeClientOptions
        {
            ApiKey = StripeBillingCluster.PlatformKey,
            ApiBase = cluster.Stripe.ApiBase,
            StripeAccount = account,
            HttpClient = new SystemNetHttpClient(new HttpClient(), maxNetworkRetries: 0),
        });
        var invoice = Assert.Single(cluster.Stripe.Invoices(account));
        try
        {
            await request(client.V1.Invoices, invoice.Id, new RequestOptions { IdempotencyKey = $"other-activation-{Guid.NewGuid():N}" });
        }
        catch (StripeException e) when ((int)e.HttpStatusCode >= 500)
        {
        }
    }
}
