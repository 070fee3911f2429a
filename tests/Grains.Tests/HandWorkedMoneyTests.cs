using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// Taxed monthly invoices through the grains (tenant, tax rating, invoice, customer, pacer) to the Stripe
/// fake, checked in Stripe against figures worked out by hand (<see cref="HandWorkedInvoices"/>): every
/// line, every tax amount with its basis and rate, total_taxes, the total and the amount due.
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class HandWorkedMoneyTests(OneSiloStripeCluster cluster)
{
    public static IEnumerable<object[]> Cases => HandWorkedInvoices.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_taxed_monthly_invoice_reaches_stripe_with_the_hand_worked_lines_taxes_and_totals(string name)
    {
        var handCase = HandWorkedInvoices.Named(name);
        cluster.Clock.Set(handCase.ProfileAt);
        var scenario = await Scenario.StartAsync(cluster.Grains, billingDay: null, address: handCase.Address);
        var key = $"sk_test_{Guid.NewGuid():N}";
        var account = cluster.Grains.GetGrain<IAccountGrain>(scenario.AccountId);
        await account.ConnectStripeAsync(new StripeCredentials(null, key));
        await account.UpdateSettingsAsync(new AccountSettings(30, 100));
        await scenario.Tenant.SetTaxExemptionsAsync(handCase.Exemptions);
        await scenario.Tenant.SetBillingProfileAsync(HandWorkedInvoices.Profile());
        var stripe = cluster.StripeClient(cluster.Stripe.PlatformAccountId(key));

        foreach (var expected in handCase.Invoices)
        {
            cluster.Clock.Set(expected.StatementAt);
            await scenario.Tenant.AcceptStatementAsync(expected.Period, HandWorkedInvoices.Statement);
            cluster.Clock.Set(expected.BilledAt);
            await scenario.FireReminderAsync();
            var invoice = await cluster.SettledAsync(scenario.InvoiceKey(expected.Period));

            Assert.Equal(InvoiceStatus.Sent, invoice.Status);
            await HandWorkedInvoices.AssertStripeHoldsAsync(stripe, invoice.StripeInvoiceId!, expected);
        }

        Assert.Equal(handCase.Invoices.Length, cluster.Stripe.Invoices(cluster.Stripe.PlatformAccountId(key)).Count);
    }
}
