using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests;

/// <summary>Taxes on invoices: rated through TaxRatingGrain, never skipped, exemptions honoured.</summary>
[Collection(BillingClusterTests.Name)]
public sealed class TaxTests(BillingCluster cluster)
{
    [Fact]
    public async Task When_the_tax_provider_fails_the_invoice_waits_visibly_and_goes_out_with_its_taxes_once_it_answers()
    {
        cluster.Clock.Set(Utc(2026, 10, 15));
        var scenario = await StartAsync(cluster.Grains, billingDay: 20, includeTaxes: true);
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1000));
        cluster.Clock.Set(Utc(2026, 11, 20));

        cluster.Taxes.Failing = true;
        try
        {
            await scenario.FireReminderAsync();
            var waiting = Assert.Single(await scenario.Tenant.ListInvoicesAsync());
            Assert.Equal(InvoiceStatus.WaitingForTaxes, waiting.Status);
            Assert.Contains("tax provider failed", waiting.FailureReason, StringComparison.Ordinal);
            Assert.Equal(0, cluster.HandOvers.Calls(scenario.InvoiceKey("2026-10")));
            var preview = await Assert.ThrowsAsync<BillingProblemException>(() => scenario.Tenant.PreviewInvoiceAsync("2026-10"));
            Assert.Equal(ProblemKind.Unavailable, preview.Kind);
        }
        finally
        {
            cluster.Taxes.Failing = false;
        }

        await Eventually.TrueAsync(() => cluster.HandOvers.Kept(scenario.InvoiceKey("2026-10")) is not null, TimeSpan.FromSeconds(30));
        var sent = cluster.HandOvers.Kept(scenario.InvoiceKey("2026-10"))!;
        Assert.Contains(sent.Taxes, t => t.TaxCode == "FUSF");
        Assert.Equal(sent.Subtotal + sent.Taxes.Sum(t => t.TaxAmount), sent.Total);
    }

    [Fact]
    public async Task A_federally_exempt_tenant_gets_no_federal_tax_lines()
    {
        cluster.Clock.Set(Utc(2026, 10, 15));
        var mn = new PostalAddress("100 Nicollet Mall", null, "Minneapolis", "MN", "55401", "US");
        var scenario = await StartAsync(cluster.Grains, billingDay: 20, includeTaxes: true, address: mn);
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1000));

        var taxed = (await scenario.Tenant.PreviewInvoiceAsync("2026-10")).Draft;
        await scenario.Tenant.SetTaxExemptionsAsync(new TaxExemptions(Federal: true, StateLocal: false, Sales: false));
        var exempt = (await scenario.Tenant.PreviewInvoiceAsync("2026-10")).Draft;

        Assert.Contains(taxed.Taxes, t => t.Level == TaxLevel.Federal);
        Assert.DoesNotContain(exempt.Taxes, t => t.Level == TaxLevel.Federal);
        Assert.Contains(exempt.Taxes, t => t.TaxCode == "E911_VOIP");    // Minnesota's per-line 911 fee on the 3 seats
        Assert.Contains(exempt.Taxes, t => t.TaxCode == "STATE_SALES");  // Minnesota taxes VoIP
        Assert.Equal(taxed.Subtotal, exempt.Subtotal);
    }

    [Fact]
    public async Task Without_include_taxes_no_taxes_are_rated()
    {
        cluster.Clock.Set(Utc(2026, 10, 15));
        var scenario = await StartAsync(cluster.Grains, billingDay: 20, includeTaxes: false);
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1000));
        var quotesBefore = cluster.Taxes.Quotes;

        var preview = (await scenario.Tenant.PreviewInvoiceAsync("2026-10")).Draft;

        Assert.Empty(preview.Taxes);
        Assert.Equal(quotesBefore, cluster.Taxes.Quotes);
    }
}
