using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;
using TenantBilling.StripeSandbox;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests;

/// <summary>Three silos; the fake without its first-request faults, because the test counts every request.</summary>
public sealed class ThreeSiloStripeCluster() : StripeBillingCluster(3, firstRequestFaults: false);

/// <summary>One account's Stripe request rate holds across the whole cluster, not per silo.</summary>
public sealed class StripeRateLimitTests(ThreeSiloStripeCluster cluster) : IClassFixture<ThreeSiloStripeCluster>
{
    [Fact]
    public async Task Invoices_due_at_once_on_three_silos_stay_under_the_accounts_rate_and_none_is_refused()
    {
        const int Tenants = 24;
        const int RequestsPerSecond = 10;
        Assert.Equal(3, cluster.Cluster.GetActiveSilos().Count());

        cluster.Clock.Set(Utc(2026, 10, 5));
        var accountId = $"acct-{Guid.NewGuid():N}"[..20];
        var key = $"sk_test_{Guid.NewGuid():N}";
        var account = cluster.Grains.GetGrain<IAccountGrain>(accountId);
        await account.CreateAsync("Fleet");
        await account.ConnectStripeAsync(new StripeCredentials(null, key));
        await account.UpdateSettingsAsync(new AccountSettings(30, RequestsPerSecond));
        var stripeAccount = cluster.Stripe.PlatformAccountId(key);
        // Three seconds of burst: a process stall on a loaded machine queues paced calls that then arrive
        // together, while three silos pacing apart (30/s for 120 calls) overrun it by far.
        cluster.Stripe.SetRateLimit(stripeAccount, new RateLimit(RequestsPerSecond, 3 * RequestsPerSecond));
        var atConnect = cluster.Stripe.Counters.RequestsByAccount[stripeAccount];   // the connection check

        var tenants = await Task.WhenAll(Enumerable.Range(1, Tenants).Select(async i =>
        {
            var tenant = cluster.Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(accountId, $"t{i}"));
            await tenant.SaveDetailsAsync(new TenantDetails($"Tenant {i}", "+15125550100", $"t{i}@example.com", "Contact", "+15125550101", AustinAddress));
            await tenant.ValidateAddressAsync();
            await tenant.SetBillingProfileAsync(new BillingProfileInput(false, false, 1, new Dictionary<string, decimal> { ["minutes_outbound"] = 0.01m }, []));
            return tenant;
        }));

        cluster.Clock.Set(Utc(2026, 11, 21));
        await Task.WhenAll(tenants.Select(t => t.AcceptStatementAsync("2026-10", Usage(1000))));
        await Task.WhenAll(tenants.Select(t => t.AsReference<IRemindable>().ReceiveReminder("invoice-due", default)));
        var settled = await Task.WhenAll(Enumerable.Range(1, Tenants).Select(i =>
            cluster.SettledAsync(GrainKeys.MonthlyInvoice(accountId, $"t{i}", "2026-10"), TimeSpan.FromSeconds(120))));

        // The fake answers 429 to any request over its bucket, so none means the three silos together kept to
        // the rate; how close to it they ran is the cluster-pacing benchmark's figure, not a test's.
        Assert.All(settled, s => Assert.Equal(InvoiceStatus.Sent, s.Status));
        Assert.Equal(0, cluster.Stripe.Counters.RateLimitedByAccount.GetValueOrDefault(stripeAccount));
        var requests = cluster.Stripe.Counters.RequestsByAccount[stripeAccount] - atConnect;
        Assert.Equal(Tenants * 5, requests);   // customer, invoice, lines, finalize, send
        Assert.Equal(Tenants, cluster.Stripe.Invoices(stripeAccount).Count(i => i.SendCount == 1));
    }
}
