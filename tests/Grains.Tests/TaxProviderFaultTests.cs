using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.StripeSteps;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// The tax provider fails after the invoice is final: on the commit of a sent invoice's taxes, and on their
/// void when the invoice is voided in Stripe. Neither holds the invoice back nor is lost: each is done once
/// the provider answers again, and only once.
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class TaxProviderFaultTests(OneSiloStripeCluster cluster)
{
    /// <summary>The reminder of the account's record of invoices in flight: what brings an unfinished invoice back.</summary>
    private const string Retry = "invoice-runs";

    [Fact]
    public async Task A_commit_the_provider_fails_is_retried_until_it_answers_then_recorded_once_and_the_retrying_stops()
    {
        var (scenario, account) = await StartAsync(cluster, includeTaxes: true);
        var invoiceKey = scenario.InvoiceKey(October);
        var grain = cluster.Grains.GetGrain<IStripeInvoiceGrain>(invoiceKey);
        var inFlight = cluster.Grains.GetGrain<IInvoiceRunsGrain>(scenario.AccountId);
        InvoiceSummary sent;
        cluster.Taxes.FailCommits = true;
        try
        {
            var preview = await StripeBillingCluster.BillAsync(scenario, October);
            Assert.NotEmpty(preview.Taxes);
            sent = await cluster.SettledAsync(invoiceKey);

            // The invoice went out with its taxes in our ledger; the provider's record is retried, not dropped.
            Assert.Equal(InvoiceStatus.Sent, sent.Status);
            Assert.Single(await Ledger(scenario).ListTaxesAsync(), t => t.InvoiceKey == invoiceKey);
            await Eventually.TrueAsync(() => cluster.Taxes.CommitCalls(invoiceKey) >= 3, TimeSpan.FromSeconds(60));
            Assert.Null(cluster.Taxes.Committed(invoiceKey));
            Assert.Contains(Retry, await cluster.ReminderNamesAsync(inFlight));
        }
        finally
        {
            cluster.Taxes.FailCommits = false;
        }

        await Eventually.TrueAsync(() => cluster.Taxes.Committed(invoiceKey) is not null, TimeSpan.FromSeconds(60));
        await Eventually.TrueAsync(async () => !(await cluster.ReminderNamesAsync(inFlight)).Contains(Retry), TimeSpan.FromSeconds(60));
        Assert.Equal(0, await inFlight.ResumeAllAsync());   // the invoice has left the record of invoices in flight
        var calls = cluster.Taxes.CommitCalls(invoiceKey);
        await grain.ResumeAsync();   // a later run has nothing left to commit

        Assert.Equal(1, cluster.Taxes.CommitsAnswered(invoiceKey));
        Assert.Equal(calls, cluster.Taxes.CommitCalls(invoiceKey));
        var committed = cluster.Taxes.Committed(invoiceKey)!;
        var recorded = Assert.Single(await Ledger(scenario).ListTaxesAsync(), t => t.InvoiceKey == invoiceKey);
        Assert.Equal(recorded.Taxes.Sum(t => t.TaxAmount), committed.TotalTax);   // the provider recorded what the invoice carries
        var inStripe = Only(cluster, account, invoiceKey);
        Assert.Equal((sent.StripeInvoiceId, "open", 1), (inStripe.Id, inStripe.Status, inStripe.SendCount));
        Assert.Equal(InvoiceStatus.Sent, (await grain.GetSummaryAsync())!.Status);
    }

    [Fact]
    public async Task A_void_whose_tax_void_the_provider_fails_is_refused_so_stripe_delivers_it_again_and_then_voids_the_taxes_once()
    {
        var (scenario, account) = await StartAsync(cluster, includeTaxes: true);
        var invoiceKey = scenario.InvoiceKey(October);
        var grain = cluster.Grains.GetGrain<IStripeInvoiceGrain>(invoiceKey);
        await StripeBillingCluster.BillAsync(scenario, October);
        var sent = await cluster.SettledAsync(invoiceKey);
        await Eventually.TrueAsync(() => cluster.Taxes.Committed(invoiceKey) is not null, TimeSpan.FromSeconds(60));

        // The reseller voids the invoice in Stripe; Stripe's event reaches us while the provider does not answer.
        try
        {
            await cluster.StripeClient(account).V1.Invoices.VoidInvoiceAsync(sent.StripeInvoiceId);
        }
        catch (global::Stripe.StripeException)
        {
            // The fake's first-request fault on the route answers 500 after voiding.
        }

        Assert.Equal("void", Only(cluster, account, invoiceKey).Status);
        var events = cluster.Grains.GetGrain<IStripeEventGrain>(0);
        Task<bool> Deliver() => events.ApplyThinInvoiceEventAsync(scenario.AccountId, null, "evt_void_october", "invoice.voided", sent.StripeInvoiceId!);
        cluster.Taxes.FailVoids = true;
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(Deliver);   // the webhook answers an error: Stripe delivers the event again

            Assert.Equal(1, cluster.Taxes.VoidCalls(invoiceKey));
            Assert.False(cluster.Taxes.IsVoided(invoiceKey));
            Assert.NotEqual(InvoiceStatus.Void, (await grain.GetSummaryAsync())!.Status);   // not taken as applied
        }
        finally
        {
            cluster.Taxes.FailVoids = false;
        }

        // Stripe's redelivery, with the provider back: voided once, in the provider and in our tax report.
        Assert.True(await Deliver());
        Assert.False(await Deliver());

        Assert.True(cluster.Taxes.IsVoided(invoiceKey));
        Assert.Equal(2, cluster.Taxes.VoidCalls(invoiceKey));
        Assert.Equal(InvoiceStatus.Void, (await grain.GetSummaryAsync())!.Status);
        Assert.True(Assert.Single(await Ledger(scenario).ListTaxesAsync(), t => t.InvoiceKey == invoiceKey).Voided);
        Assert.Equal("void", Only(cluster, account, invoiceKey).Status);
    }

    private IAccountLedgerGrain Ledger(Scenario scenario) =>
        cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, November));
}
