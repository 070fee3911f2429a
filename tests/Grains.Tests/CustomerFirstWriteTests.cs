using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// The tenant's Stripe customer costs its first invoice one write, the customer created: the invoice's stored
/// hand-over, not a write of the customer's, is what says a create may have been sent. A create whose record is
/// lost (the silo stopped before it was stored) is found by the next activation, also once Stripe's idempotency
/// window has passed and the same key would make a second customer.
/// </summary>
public sealed class CustomerFirstWriteTests(SlowRetryStripeCluster cluster) : IClassFixture<SlowRetryStripeCluster>
{
    [Fact]
    public async Task A_tenants_first_invoice_costs_its_stripe_customer_one_write()
    {
        var (scenario, account) = await StartedAsync();

        await StripeBillingCluster.BillAsync(scenario, "2026-10");
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey("2026-10"));

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.Single(cluster.Stripe.Customers(account));
        Assert.Equal(1, cluster.Faults.Writes("stripe-customer", TenantKey(scenario)));
    }

    [Theory]
    [InlineData(1)]    // within Stripe's window: the same create key would get the same customer back
    [InlineData(25)]   // past it: the same key would make a second customer, so the customer is looked for first
    public async Task A_first_create_whose_record_was_lost_is_found_by_the_next_activation_not_made_again(int hoursLater)
    {
        var (scenario, account) = await StartedAsync();

        // The customer's first write records the customer Stripe created: it fails, as if the silo died there, and the activation goes with it.
        var firedBefore = cluster.Faults.Fired;
        cluster.Faults.FailNextWrite("stripe-customer", TenantKey(scenario));
        await StripeBillingCluster.BillAsync(scenario, "2026-10");
        await Eventually.TrueAsync(() => cluster.Faults.Fired == firedBefore + 1, TimeSpan.FromSeconds(30));
        var created = Assert.Single(cluster.Stripe.Customers(account));

        cluster.Clock.Set(Utc(2026, 11, 21, 8).AddHours(hoursLater));
        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey("2026-10")).ResumeAsync();
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey("2026-10"));

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.Equal(created.Id, Assert.Single(cluster.Stripe.Customers(account)).Id);
        Assert.Equal(created.Id, await cluster.Grains.GetGrain<IStripeCustomerGrain>(TenantKey(scenario)).GetIdAsync());
    }

    private async Task<(Scenario Scenario, string Account)> StartedAsync()
    {
        cluster.Clock.Set(Utc(2026, 10, 5));
        var started = await cluster.StartAsync();
        cluster.Clock.Set(Utc(2026, 11, 21, 8));
        return started;
    }

    private static string TenantKey(Scenario scenario) => GrainKeys.Tenant(scenario.AccountId, scenario.TenantId);
}
