using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// A cluster whose Stripe fake keeps the billing clock and whose retries wait a minute, so a test decides when an invoice resumes;
/// without the fake's first-request faults, because the test fails the invoice grain's write by its number.
/// </summary>
public sealed class SlowRetryStripeCluster() : StripeBillingCluster(1, TimeSpan.FromMinutes(1), fakeOnBillingClock: true, firstRequestFaults: false);

public sealed class IdempotencyWindowTests(SlowRetryStripeCluster cluster) : IClassFixture<SlowRetryStripeCluster>
{
    [Theory]
    [InlineData(1)]    // within Stripe's window: the same create key gets the same invoice back
    [InlineData(25)]   // past it: the same key would make a second invoice, so the invoice is searched for first
    public async Task An_invoice_created_in_stripe_but_not_recorded_is_found_again_when_it_resumes(int hoursLater)
    {
        cluster.Clock.Set(Utc(2026, 10, 5));
        var (scenario, account) = await cluster.StartAsync();
        cluster.Clock.Set(Utc(2026, 11, 21, 8));

        // The invoice grain's second write (after the hand-over) records the invoice created and finalized in Stripe, before it is sent: it fails, as if the silo died there.
        var firedBefore = cluster.Faults.Fired;
        cluster.Faults.FailWriteNumber(2, "invoice", scenario.AccountId);
        await StripeBillingCluster.BillAsync(scenario, "2026-10");
        await Eventually.TrueAsync(() => cluster.Faults.Fired == firedBefore + 1, TimeSpan.FromSeconds(30));
        Assert.Single(cluster.Stripe.Invoices(account));

        cluster.Clock.Set(Utc(2026, 11, 21, 8).AddHours(hoursLater));
        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey("2026-10")).ResumeAsync();
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey("2026-10"));

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        var only = Assert.Single(cluster.Stripe.Invoices(account));
        Assert.Equal(only.Id, invoice.StripeInvoiceId);
        Assert.Equal(1, only.SendCount);
    }
}
