using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Tenants;
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
        var october = cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey("2026-10"));

        // The failed run drops the invoice's activation too; a resume that reached it just before is lost with it, so it is asked again.
        await Eventually.TrueAsync(
            async () =>
            {
                await october.ResumeAsync();
                return (await october.GetSummaryAsync())?.Status == InvoiceStatus.Sent;
            },
            TimeSpan.FromSeconds(60));
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey("2026-10"));

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.Equal(created.Id, Assert.Single(cluster.Stripe.Customers(account)).Id);
        Assert.Equal(created.Id, await cluster.Grains.GetGrain<IStripeCustomerGrain>(TenantKey(scenario)).GetIdAsync());
    }

    [Fact]
    public async Task A_first_create_lost_by_another_activation_of_the_tenant_is_found_not_made_again_past_stripes_idempotency_window()
    {
        cluster.Clock.Set(Utc(2026, 10, 5));
        var (scenario, account) = await cluster.StartAsync();
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1000));   // due on November 20; this activation holds that record
        var tenantKey = TenantKey(scenario);
        var customer = cluster.Grains.GetGrain<IStripeCustomerGrain>(tenantKey);
        var access = (await cluster.Grains.GetGrain<IAccountGrain>(scenario.AccountId).GetStripeAccessAsync())!;
        var details = (await scenario.Tenant.GetAsync())!.Details;

        // Another activation of the tenant (two can run briefly after a silo is lost) records a one-time invoice and
        // hands it over; that invoice's create makes the customer, whose record is lost with the customer's activation.
        await AsAnotherTenantActivationAsync(tenantKey, stored =>
        {
            stored.OneTimeRequests.Add("req-elsewhere");
            stored.HasStripeCustomer = true;
        });
        await customer.StartAsync(details, mayHaveBeenCreated: false);   // that activation had seen no invoice before
        cluster.Faults.FailNextWrite("stripe-customer", tenantKey);
        await Assert.ThrowsAnyAsync<Exception>(() => customer.StepInTurnAsync(access));
        var first = Assert.Single(cluster.Stripe.Customers(account));
        Assert.Null(await customer.GetIdAsync());   // a new activation: nothing stored

        // Past Stripe's idempotency window, this activation hands October over from the record it holds, which shows
        // no invoice; its own write then fails on the record's version, but October is handed over and asks.
        cluster.Clock.Set(Utc(2026, 11, 21, 8));
        await Assert.ThrowsAnyAsync<Exception>(() => scenario.Tenant.HandOverDueAsync());
        var october = await cluster.SettledAsync(scenario.InvoiceKey("2026-10"));

        Assert.Equal(InvoiceStatus.Sent, october.Status);
        Assert.Equal(first.Id, Assert.Single(cluster.Stripe.Customers(account)).Id);
        Assert.Equal(first.Id, Assert.Single(cluster.Stripe.Invoices(account)).CustomerId);
    }

    /// <summary>Changes the tenant's stored record past its activation, as another activation of the tenant would write it.</summary>
    private async Task AsAnotherTenantActivationAsync(string tenantKey, Action<TenantState> change)
    {
        var storage = cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(StorageNames.Billing);
        var grainId = GrainId.Create("tenant", tenantKey);
        var stored = new GrainState<TenantState>(new TenantState());
        await storage.ReadStateAsync("tenant", grainId, stored);
        change(stored.State!);
        await storage.WriteStateAsync("tenant", grainId, stored);
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
