using TenantBilling.Grains.Domain;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// A month invoiced again after its invoice was voided: through the real pipeline and Stripe.net against the
/// Stripe fake (whose first request of each route fails once, after the work for writes), faults after Stripe did
/// the revision's work included.
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class RevisionTests(OneSiloStripeCluster cluster)
{
    private const string October = "2026-10";

    private async Task<(Scenario Scenario, string StripeAccount, InvoiceSummary Invoice)> SentAsync(decimal usageTotal = 42m)
    {
        cluster.Clock.Set(Utc(2026, 10, 5));
        var (scenario, account) = await cluster.StartAsync(includeTaxes: true);
        cluster.Clock.Set(Utc(2026, 11, 21, 8));
        await StripeBillingCluster.BillAsync(scenario, October, usageTotal);
        return (scenario, account, await cluster.SettledAsync(scenario.InvoiceKey(October)));
    }

    private static string RevisionKey(Scenario scenario, int revision) => GrainKeys.MonthlyInvoice(scenario.AccountId, scenario.TenantId, October, revision);

    private IInvoiceCorrectionGrain Corrections(string invoiceKey) => cluster.Grains.GetGrain<IInvoiceCorrectionGrain>(invoiceKey);

    private IAccountLedgerGrain Ledger(Scenario scenario, string month) => cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, month));

    /// <summary>What a client does with a 503: send the same request again.</summary>
    private static async Task<T> RepeatedAsync<T>(Func<Task<T>> request)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await request();
            }
            catch (BillingProblemException unavailable) when (unavailable.Kind == ProblemKind.Unavailable && attempt < 8)
            {
            }
        }
    }

    [Fact]
    public async Task After_a_void_a_corrected_statement_is_invoiced_at_once_as_a_revision_naming_the_voided_invoice_and_the_history_shows_both()
    {
        var (scenario, account, original) = await SentAsync();
        cluster.Clock.Set(Utc(2026, 12, 3, 9));
        await RepeatedAsync(() => Corrections(scenario.InvoiceKey(October)).VoidAsync());

        var revised = await scenario.Tenant.AcceptStatementAsync(October, Usage(1200, 42m));
        var revision = await cluster.SettledAsync(RevisionKey(scenario, 1));
        var again = await scenario.Tenant.AcceptStatementAsync(October, Usage(1200, 42m));

        Assert.Equal((StatementOutcome.Revised, StatementOutcome.Replayed), (revised.Outcome, again.Outcome));
        Assert.Equal(InvoiceStatus.Sent, revision.Status);
        Assert.NotEqual(original.StripeInvoiceId, revision.StripeInvoiceId);
        var inStripe = cluster.Stripe.FindInvoice(account, revision.StripeInvoiceId!)!;
        Assert.Equal(("open", RevisionKey(scenario, 1)), (inStripe.Status, inStripe.Metadata["tenant_billing_invoice"]));
        Assert.Contains($"corrects invoice {original.Number}", inStripe.Description, StringComparison.Ordinal);
        Assert.Equal("void", cluster.Stripe.FindInvoice(account, original.StripeInvoiceId!)!.Status);
        Assert.Equal(2, cluster.Stripe.Invoices(account).Count);

        // The revision bills the corrected statement, dated the day it was sent.
        var draft = (await cluster.Grains.GetGrain<IStripeInvoiceGrain>(RevisionKey(scenario, 1)).GetDraftAsync())!;
        Assert.Equal((1200m, Utc(2026, 12, 3, 9)), (draft.Lines.Single(l => l.ProductCode == "minutes_outbound").Quantity, draft.InvoiceDate));
        Assert.Equal(new InvoiceRevision(1, scenario.InvoiceKey(October), original.Number, FeeCharged: false), draft.Revision);

        // The preview shows the month's current invoice, the revision.
        var preview = await scenario.Tenant.PreviewInvoiceAsync(October);
        Assert.Equal((RevisionKey(scenario, 1), 1), (preview.Draft.InvoiceKey, preview.Draft.Revision!.Number));

        var history = (await scenario.Tenant.ListInvoicesAsync()).Where(i => i.Period == October).ToList();
        Assert.Equal(
            [(scenario.InvoiceKey(October), InvoiceStatus.Void, 0, false), (RevisionKey(scenario, 1), InvoiceStatus.Sent, 1, true)],
            history.Select(i => (i.InvoiceKey, i.Status, i.Revision!.Value, i.Current!.Value)).OrderBy(i => i.Item3));
    }

    [Fact]
    public async Task The_same_statement_after_a_void_bills_the_month_again_and_a_month_is_revised_more_than_once()
    {
        var (scenario, account, _) = await SentAsync();
        await RepeatedAsync(() => Corrections(scenario.InvoiceKey(October)).VoidAsync());

        var first = await scenario.Tenant.AcceptStatementAsync(October, Usage(1000, 42m));
        var r1 = await cluster.SettledAsync(RevisionKey(scenario, 1));
        await RepeatedAsync(() => Corrections(RevisionKey(scenario, 1)).VoidAsync());
        var second = await scenario.Tenant.AcceptStatementAsync(October, Usage(900, 42m));
        var r2 = await cluster.SettledAsync(RevisionKey(scenario, 2));

        Assert.Equal((StatementOutcome.Revised, StatementOutcome.Revised), (first.Outcome, second.Outcome));
        Assert.Equal(InvoiceStatus.Sent, r2.Status);
        Assert.Contains($"corrects invoice {r1.Number}", cluster.Stripe.FindInvoice(account, r2.StripeInvoiceId!)!.Description, StringComparison.Ordinal);
        Assert.Equal(["void", "void", "open"], cluster.Stripe.Invoices(account).OrderBy(i => i.Created).ThenBy(i => i.Number).Select(i => i.Status));
        var history = (await scenario.Tenant.ListInvoicesAsync()).Where(i => i.Period == October).OrderBy(i => i.Revision).ToList();
        Assert.Equal([(0, false), (1, false), (2, true)], history.Select(i => (i.Revision!.Value, i.Current!.Value)));
    }

    [Fact]
    public async Task A_corrected_statement_while_the_invoice_is_open_voids_it_first_and_its_taxes_leave_the_report()
    {
        var (scenario, account, original) = await SentAsync();

        var revised = await RepeatedAsync(() => scenario.Tenant.AcceptStatementAsync(October, Usage(1500, 42m)));
        var revision = await cluster.SettledAsync(RevisionKey(scenario, 1));

        Assert.Equal(StatementOutcome.Revised, revised.Outcome);
        Assert.Equal(InvoiceStatus.Void, (await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).GetSummaryAsync())!.Status);
        Assert.Equal("void", cluster.Stripe.FindInvoice(account, original.StripeInvoiceId!)!.Status);
        Assert.Single(cluster.Stripe.Events(account), e => e.Type == "invoice.voided");
        Assert.Equal(InvoiceStatus.Sent, revision.Status);

        // November is still open: the original's taxes are void in it; the revision's count.
        await Eventually.TrueAsync(async () => (await Ledger(scenario, "2026-11").ListTaxesAsync()).Count == 2, TimeSpan.FromSeconds(30));
        var taxes = await Ledger(scenario, "2026-11").ListTaxesAsync();
        Assert.True(taxes.Single(t => t.StripeInvoiceId == original.StripeInvoiceId).Voided);
        Assert.False(taxes.Single(t => t.StripeInvoiceId == revision.StripeInvoiceId).Voided);
    }

    [Fact]
    public async Task A_paid_month_is_not_revised_but_pointed_to_the_credit_route_and_its_statement_replays()
    {
        var (scenario, account, invoice) = await SentAsync();
        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).ApplyStripeEventAsync(
            new StripeInvoiceEvent("evt_paid", "invoice.paid", invoice.StripeInvoiceId!, "paid", invoice.Number, invoice.AmountDueCents ?? 0, invoice.AmountDueCents ?? 0, null, null, null));

        var refused = await Assert.ThrowsAsync<BillingProblemException>(() => scenario.Tenant.AcceptStatementAsync(October, Usage(1500, 42m)));
        var same = await scenario.Tenant.AcceptStatementAsync(October, Usage(1000, 42m));

        Assert.Equal(ProblemKind.Conflict, refused.Kind);
        Assert.Contains($"/invoices/{October}/credit", refused.Message, StringComparison.Ordinal);
        Assert.Equal(StatementOutcome.Replayed, same.Outcome);
        Assert.Single(cluster.Stripe.Invoices(account));
    }

    [Fact]
    public async Task A_phantom_month_costs_one_fee_however_many_revisions()
    {
        var (scenario, _, _) = await SentAsync(usageTotal: 3.10m);
        await RepeatedAsync(() => Corrections(scenario.InvoiceKey(October)).VoidAsync());
        cluster.Clock.Set(Utc(2026, 12, 3, 9));
        await scenario.Tenant.AcceptStatementAsync(October, Usage(1000, 2.00m));
        await cluster.SettledAsync(RevisionKey(scenario, 1));
        await RepeatedAsync(() => Corrections(RevisionKey(scenario, 1)).VoidAsync());
        await scenario.Tenant.AcceptStatementAsync(October, Usage(900, 1.00m));
        var r2 = await cluster.SettledAsync(RevisionKey(scenario, 2));
        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(RevisionKey(scenario, 2)).ResumeAsync();

        Assert.Equal(InvoiceStatus.Sent, r2.Status);
        var fee = Assert.Single(await Ledger(scenario, "2026-11").ListFeesAsync());
        Assert.Equal((scenario.InvoiceKey(October), 5.00m), (fee.InvoiceKey, fee.Amount));
        Assert.Empty(await Ledger(scenario, "2026-12").ListFeesAsync());
    }

    [Theory]
    [InlineData("/v1/invoices")]
    [InlineData("/v1/invoices/*/finalize")]
    public async Task A_revision_whose_Stripe_answer_was_lost_after_the_work_is_one_invoice(string path)
    {
        var (scenario, account, _) = await SentAsync();
        await RepeatedAsync(() => Corrections(scenario.InvoiceKey(October)).VoidAsync());
        cluster.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = path, AccountId = account });

        await scenario.Tenant.AcceptStatementAsync(October, Usage(1200, 42m));
        var revision = await cluster.SettledAsync(RevisionKey(scenario, 1), TimeSpan.FromSeconds(60));
        await scenario.Tenant.AcceptStatementAsync(October, Usage(1200, 42m));

        Assert.Equal(InvoiceStatus.Sent, revision.Status);
        var carrying = cluster.Stripe.Invoices(account).Where(i => i.Metadata.GetValueOrDefault("tenant_billing_invoice") == RevisionKey(scenario, 1)).ToList();
        Assert.Equal("open", Assert.Single(carrying).Status);
        Assert.Equal(2, cluster.Stripe.Invoices(account).Count);
    }
}
