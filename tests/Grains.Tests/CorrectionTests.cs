using TenantBilling.Grains.Domain;
using TenantBilling.Grains.Domain.Reports;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.StripeSandbox;
using TenantBilling.StripeSandbox.Faults;
using static TenantBilling.Grains.Tests.Support.Scenario;
using static TenantBilling.Grains.Tests.Support.StripeSteps;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// Voids and credit notes through the real pipeline and Stripe.net against the Stripe fake (whose first request of
/// each route fails once, after the work for writes, as Stripe can), and what they do to the tax report and the fees.
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class CorrectionTests(OneSiloStripeCluster cluster)
{
    private async Task<(Scenario Scenario, string StripeAccount, InvoiceSummary Invoice)> SentAsync(bool autoCharge = false, decimal usageTotal = 42m)
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge, includeTaxes: true);
        if (autoCharge)
        {
            await SavedCardAsync(cluster, scenario, account, FakeCard.Visa);
        }

        await StripeBillingCluster.BillAsync(scenario, October, usageTotal);
        return (scenario, account, await cluster.SettledAsync(scenario.InvoiceKey(October)));
    }

    private IInvoiceCorrectionGrain Corrections(Scenario scenario) => cluster.Grains.GetGrain<IInvoiceCorrectionGrain>(scenario.InvoiceKey(October));

    private IAccountLedgerGrain Ledger(Scenario scenario, string month) => cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, month));

    private async Task<string> ReportAsync(Scenario scenario, string month) => TaxReportCsv.Write(await Ledger(scenario, month).ListTaxesAsync());

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
    public async Task A_void_reaches_Stripe_once_through_its_faults_and_is_recorded_as_Stripe_s_own_would_be()
    {
        var (scenario, account, invoice) = await SentAsync();

        var voided = await RepeatedAsync(() => Corrections(scenario).VoidAsync());
        var again = await Corrections(scenario).VoidAsync();

        Assert.Equal((InvoiceStatus.Void, InvoiceStatus.Void), (voided.Status, again.Status));
        Assert.Equal("void", cluster.Stripe.FindInvoice(account, invoice.StripeInvoiceId!)!.Status);
        Assert.Single(cluster.Stripe.Events(account), e => e.Type == "invoice.voided");
        Assert.Equal(InvoiceStatus.Void, (await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).GetSummaryAsync())!.Status);

        // Voided in the month it was finalized, which is still open: its taxes leave that month's report.
        Assert.True(Assert.Single(await Ledger(scenario, "2026-11").ListTaxesAsync()).Voided);
        Assert.DoesNotContain("\r\ntax,", await ReportAsync(scenario, "2026-11"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paid_invoice_is_not_voided_but_pointed_to_the_credit_route_and_an_unsent_month_is_not_voided()
    {
        var (scenario, account, invoice) = await SentAsync();
        await InStripeAsync(() => cluster.StripeClient(account).V1.Invoices.PayAsync(invoice.StripeInvoiceId, new global::Stripe.InvoicePayOptions { PaidOutOfBand = true }));
        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).ApplyStripeEventAsync(
            new StripeInvoiceEvent("evt_paid", "invoice.paid", invoice.StripeInvoiceId!, "paid", invoice.Number, invoice.AmountDueCents ?? 0, invoice.AmountDueCents ?? 0, null, null, null));

        var paid = await Assert.ThrowsAsync<BillingProblemException>(() => Corrections(scenario).VoidAsync());
        var nothing = await Assert.ThrowsAsync<BillingProblemException>(() => cluster.Grains.GetGrain<IInvoiceCorrectionGrain>(scenario.InvoiceKey("2026-09")).VoidAsync());

        Assert.Equal(ProblemKind.Conflict, paid.Kind);
        Assert.Contains("/credit", paid.Message, StringComparison.Ordinal);
        Assert.Equal(ProblemKind.NotFound, nothing.Kind);
        Assert.Equal("paid", cluster.Stripe.FindInvoice(account, invoice.StripeInvoiceId!)!.Status);
    }

    [Fact]
    public async Task A_month_s_report_never_changes_once_closed_and_a_void_next_month_is_given_back_there_naming_the_invoice()
    {
        var (scenario, _, invoice) = await SentAsync();
        var november = await ReportAsync(scenario, "2026-11");

        cluster.Clock.Set(Utc(2026, 12, 3, 10));
        await RepeatedAsync(() => Corrections(scenario).VoidAsync());
        await Corrections(scenario).VoidAsync();

        Assert.Equal(november, await ReportAsync(scenario, "2026-11"));
        var december = (await ReportAsync(scenario, "2026-12")).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',')).ToList();
        var adjustments = december.Where(r => r[0] == "adjustment").ToList();
        var taxes = november.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(r => r.Split(',')).Where(r => r[0] == "tax").ToList();
        Assert.Equal(taxes.Count, adjustments.Count);
        Assert.All(adjustments, r => Assert.Equal((invoice.Number, invoice.StripeInvoiceId, "void", "2026-12-03"), (r[1], r[2], r[14], r[15])));
        Assert.Equal(taxes.Select(r => "-" + r[13]), adjustments.Select(r => r[13]));
        Assert.All(december.Where(r => r[0] == "total"), r => Assert.Equal("-", r[13][..1]));
    }

    [Fact]
    public async Task A_void_made_in_Stripe_arrives_by_webhook_and_is_given_back_in_its_month_the_same_way()
    {
        var (scenario, account, invoice) = await SentAsync();
        var november = await ReportAsync(scenario, "2026-11");
        cluster.Clock.Set(Utc(2026, 12, 5));
        await InStripeAsync(() => cluster.StripeClient(account).V1.Invoices.VoidInvoiceAsync(invoice.StripeInvoiceId));

        var voided = new StripeInvoiceEvent("evt_dashboard_void", "invoice.voided", invoice.StripeInvoiceId!, "void", invoice.Number, 0, 0, null, null, null);
        Assert.True(await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).ApplyStripeEventAsync(voided));
        var again = await Corrections(scenario).VoidAsync();

        Assert.Equal(InvoiceStatus.Void, again.Status);
        Assert.Equal(november, await ReportAsync(scenario, "2026-11"));
        var december = await Ledger(scenario, "2026-12").ListTaxesAsync();
        var adjustment = Assert.Single(december);
        Assert.Equal((TaxAdjustmentKind.Void, invoice.StripeInvoiceId), (adjustment.Adjustment!.Kind, adjustment.StripeInvoiceId));
        Assert.Single(cluster.Stripe.Events(account), e => e.Type == "invoice.voided");
    }

    [Fact]
    public async Task The_phantom_fee_stays_when_the_invoice_is_voided()
    {
        var (scenario, _, _) = await SentAsync(usageTotal: 3.10m);
        Assert.Single(await Ledger(scenario, "2026-11").ListFeesAsync());

        cluster.Clock.Set(Utc(2026, 12, 2));
        await RepeatedAsync(() => Corrections(scenario).VoidAsync());

        var fee = Assert.Single(await Ledger(scenario, "2026-11").ListFeesAsync());
        Assert.Equal((scenario.InvoiceKey(October), 5.00m), (fee.InvoiceKey, fee.Amount));
        Assert.Empty(await Ledger(scenario, "2026-12").ListFeesAsync());
    }

    [Fact]
    public async Task The_phantom_fee_stays_when_the_paid_invoice_is_credited_in_full()
    {
        var (scenario, _, _) = await SentAsync(autoCharge: true, usageTotal: 3.10m);
        var draft = (await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).GetDraftAsync())!;

        var credit = await RepeatedAsync(() => Corrections(scenario).CreditAsync(
            new CreditRequest("all", CreditDestination.Balance, [.. draft.Lines.Select(l => new CreditLineRequest(l.LineRef, null))])));

        Assert.Equal(draft.Total, credit.Total);
        Assert.Equal(5.00m, Assert.Single(await Ledger(scenario, "2026-11").ListFeesAsync()).Amount);
    }

    [Fact]
    public async Task A_credit_of_a_paid_invoice_carries_the_lines_taxes_reaches_Stripe_once_through_its_faults_and_is_given_back_in_its_month()
    {
        var (scenario, account, invoice) = await SentAsync(autoCharge: true);
        Assert.Equal(InvoiceStatus.Paid, invoice.Status);
        var draft = (await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).GetDraftAsync())!;
        var seats = draft.Lines.Single(l => l.ProductCode is null);
        var minutes = draft.Lines.Single(l => l.ProductCode == "minutes_outbound");
        var request = new CreditRequest("goodwill-1", CreditDestination.Refund, [new CreditLineRequest(seats.LineRef, null), new CreditLineRequest(minutes.LineRef, 5.00m)]);

        cluster.Clock.Set(Utc(2026, 12, 4));
        var credit = await RepeatedAsync(() => Corrections(scenario).CreditAsync(request));
        var again = await Corrections(scenario).CreditAsync(request);

        // The seats' USF in full, the minutes' USF in the share 5.00 of the line, rounded once.
        var usfSeats = draft.Taxes.SelectMany(t => t.Parts!).Where(p => p.LineRef == seats.LineRef).Sum(p => p.TaxAmount);
        var usfMinutes = Money.RoundToCents(draft.Taxes.SelectMany(t => t.Parts!).Where(p => p.LineRef == minutes.LineRef).Sum(p => p.TaxAmount) * 5.00m / minutes.Amount);
        Assert.Equal((seats.Amount + 5.00m, usfSeats + usfMinutes), (credit.Subtotal, credit.TaxTotal));
        Assert.Equal((credit.StripeCreditNoteId, credit.Total, credit.CreatedAt), (again.StripeCreditNoteId, again.Total, again.CreatedAt));
        Assert.Equal(credit.Lines, again.Lines);
        var note = Assert.Single(cluster.Stripe.CreditNotes(account));
        Assert.Equal((credit.StripeCreditNoteId, Money.ToCents(credit.Total), Money.ToCents(credit.Total), Money.ToCents(credit.TaxTotal)), (note.Id, note.Total, note.RefundAmount, note.TotalTaxes));

        var december = await Ledger(scenario, "2026-12").ListTaxesAsync();
        var adjustment = Assert.Single(december);
        Assert.Equal((TaxAdjustmentKind.Credit, note.Number, -credit.TaxTotal), (adjustment.Adjustment!.Kind, adjustment.Adjustment.CreditNoteNumber, adjustment.Taxes.Sum(t => t.TaxAmount)));

        var other = await Assert.ThrowsAsync<BillingProblemException>(() => Corrections(scenario).CreditAsync(request with { Destination = CreditDestination.Balance }));
        Assert.Equal(ProblemKind.Conflict, other.Kind);

        // What is left of the seats is nothing; the rest of the minutes can still be credited, to the balance.
        var nothingLeft = await Assert.ThrowsAsync<BillingProblemException>(() => Corrections(scenario).CreditAsync(new CreditRequest("goodwill-2", CreditDestination.Balance, [new CreditLineRequest(seats.LineRef, null)])));
        Assert.Equal(ProblemKind.Validation, nothingLeft.Kind);
        var rest = await RepeatedAsync(() => Corrections(scenario).CreditAsync(new CreditRequest("goodwill-3", CreditDestination.Balance, [new CreditLineRequest(minutes.LineRef, null)])));
        Assert.Equal(minutes.Amount - 5.00m, rest.Subtotal);
        Assert.Equal(2, cluster.Stripe.CreditNotes(account).Count);
        Assert.Equal(-Money.ToCents(rest.Total), cluster.Stripe.FindCustomer(account, cluster.Stripe.FindInvoice(account, invoice.StripeInvoiceId!)!.CustomerId)!.Balance);
        Assert.Equal(2, (await Corrections(scenario).ListCreditsAsync()).Count);
    }

    [Fact]
    public async Task A_credit_s_adjustment_rows_name_the_invoice_by_the_date_its_own_tax_rows_carry()
    {
        // The statement in time for the billing day: the invoice is dated 20 November, and finalized when the alarm runs the morning after.
        cluster.Clock.Set(Utc(2026, 10, 5));
        var (scenario, account) = await cluster.StartAsync(autoCharge: true, includeTaxes: true);
        cluster.Clock.Set(Utc(2026, 11, 2));
        await scenario.Tenant.AcceptStatementAsync(October, Usage(1000, 42m));
        cluster.Clock.Set(Utc(2026, 11, 21, 8));
        await SavedCardAsync(cluster, scenario, account, FakeCard.Visa);
        await scenario.FireReminderAsync();
        Assert.Equal(InvoiceStatus.Paid, (await cluster.SettledAsync(scenario.InvoiceKey(October))).Status);
        var draft = (await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).GetDraftAsync())!;
        var original = Assert.Single(await Ledger(scenario, "2026-11").ListTaxesAsync());
        Assert.Equal((Utc(2026, 11, 20), Utc(2026, 11, 21, 8)), (draft.InvoiceDate, original.InvoiceDate));

        cluster.Clock.Set(Utc(2026, 12, 4));
        await RepeatedAsync(() => Corrections(scenario).CreditAsync(new CreditRequest("dated", CreditDestination.Balance, [new CreditLineRequest(draft.Lines[0].LineRef, null)])));

        var adjustment = Assert.Single(await Ledger(scenario, "2026-12").ListTaxesAsync());
        Assert.Equal((original.InvoiceDate, Utc(2026, 12, 4)), (adjustment.InvoiceDate, adjustment.Adjustment!.At));
    }

    [Fact]
    public async Task An_open_invoice_is_not_credited_but_voided()
    {
        var (scenario, account, _) = await SentAsync();
        var draft = (await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).GetDraftAsync())!;

        var open = await Assert.ThrowsAsync<BillingProblemException>(() => Corrections(scenario).CreditAsync(
            new CreditRequest("r1", CreditDestination.Balance, [new CreditLineRequest(draft.Lines[0].LineRef, null)])));

        Assert.Equal(ProblemKind.Conflict, open.Kind);
        Assert.Contains("/void", open.Message, StringComparison.Ordinal);
        Assert.Empty(cluster.Stripe.CreditNotes(account));
    }

    /// <summary>A change made in Stripe by the test (as the reseller in its Dashboard); the fake's first write of a route fails after doing the work.</summary>
    private static async Task InStripeAsync(Func<Task> change)
    {
        try
        {
            await change();
        }
        catch (global::Stripe.StripeException failed) when ((int?)failed.HttpStatusCode >= 500)
        {
        }
    }
}
