using TenantBilling.Grains.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.StripeSandbox;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests.Support;

/// <summary>Steps the Stripe fault tests share: an account whose profile starts in October, and October billed on November 21.</summary>
public static class StripeSteps
{
    public const string October = "2026-10";

    public const string November = "2026-11";

    /// <summary>A tenant with a profile made on 2026-10-05; the clock then stands on 2026-11-21, past October's billing day.</summary>
    public static async Task<(Scenario Scenario, string StripeAccount)> StartAsync(
        StripeBillingCluster cluster, bool autoCharge = false, bool includeTaxes = false, string? secretKey = null)
    {
        cluster.Clock.Set(Utc(2026, 10, 5));
        var started = await cluster.StartAsync(autoCharge, includeTaxes, secretKey: secretKey);
        cluster.Clock.Set(Utc(2026, 11, 21, 8));
        return started;
    }

    /// <summary>Creates the tenant's Stripe customer before any invoice, retrying the fake's first-request faults as the invoice grain would.</summary>
    public static async Task<string> SavedCustomerAsync(StripeBillingCluster cluster, Scenario scenario)
    {
        var access = await cluster.Grains.GetGrain<IAccountGrain>(scenario.AccountId).GetStripeAccessAsync();
        var customer = cluster.Grains.GetGrain<IStripeCustomerGrain>(GrainKeys.Tenant(scenario.AccountId, scenario.TenantId));
        await customer.SyncAsync((await scenario.Tenant.GetAsync())!.Details);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // One Stripe request per step, each in a slot of the account's pacer, as an invoice sends them.
                while (true)
                {
                    await StripePacing.WaitAsync(await StripePacing.ReserveAsync(cluster.Grains, access!));
                    if (await customer.StepInTurnAsync(access!) is { } ready)
                    {
                        return ready.Id;
                    }
                }
            }
            catch (StripeCallException) when (attempt < 5)
            {
            }
        }
    }

    /// <summary>The tenant's customer with <paramref name="card"/> saved on it (Stripe's default for charging invoices).</summary>
    public static async Task<string> SavedCardAsync(StripeBillingCluster cluster, Scenario scenario, string stripeAccount, FakeCard card)
    {
        var customerId = await SavedCustomerAsync(cluster, scenario);
        cluster.Stripe.AttachCard(stripeAccount, customerId, card);
        return customerId;
    }

    /// <summary>The Stripe invoice carrying <paramref name="invoiceKey"/> in its metadata; fails unless there is exactly one.</summary>
    public static FakeInvoice Only(StripeBillingCluster cluster, string stripeAccount, string invoiceKey) =>
        Assert.Single(cluster.Stripe.Invoices(stripeAccount), i => i.Metadata.GetValueOrDefault(StripeGateway.InvoiceKeyMetadata) == invoiceKey);

    /// <summary>Stripe refused no request of the account as invalid (a key reused with another body, a second charge of a paid invoice, …).</summary>
    public static void NoInvalidRequests(StripeBillingCluster cluster, string stripeAccount) =>
        Assert.DoesNotContain(cluster.Stripe.RequestLog, r => r.AccountId == stripeAccount && r.Status == 400);

    /// <summary>A fault striking the next matching request of the account; a timeout holds it past the client's timeout.</summary>
    public static FaultHandle Inject(StripeBillingCluster cluster, string stripeAccount, FaultKind kind, string path, string method = "POST") =>
        cluster.Stripe.InjectFault(new FaultRule(kind)
        {
            Method = method, Path = path, AccountId = stripeAccount, Delay = StripeBillingCluster.RequestTimeout + TimeSpan.FromSeconds(1),
        });
}
