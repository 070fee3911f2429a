using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Grains.Domain;
using TenantBilling.Grains.Domain.Corrections;
using TenantBilling.Grains.Domain.Reports;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Stripe;

namespace TenantBilling.Grains.Corrections;

/// <summary>
/// Corrections of one invoice, keyed like it. A void goes to Stripe under <c>{invoiceKey}:void</c> (a new attempt
/// only after Stripe answered 5xx, which it replays for the key) and is then recorded on the invoice exactly as
/// Stripe's <c>invoice.voided</c> webhook is, so both paths end the same: the invoice void, its taxes out of the
/// report of its month while that month is open, or given back in the month of the void once it has closed.
/// A credit note goes under <c>{invoiceKey}:credit:{requestId}</c>, carries <c>{invoiceKey}#{requestId}</c> in its
/// metadata so that after a 5xx it is looked for before it is sent again, and its taxes are given back in the
/// tax report of the month it was issued. The rules live in <see cref="CreditNotePlans"/> and <see cref="TaxAdjustments"/>.
/// <para>
/// Someone waits for the answer, so a correction's Stripe requests take interactive slots of the account's pacer
/// (<see cref="StripeInteractiveRule"/>): booked at once before anything is written or sent, all within a few
/// seconds even while a billing run has booked the account's pace far ahead, or the request is a 503 with
/// Retry-After that changed nothing.
/// </para>
/// </summary>
[GrainType("invoice-correction")]
public sealed class InvoiceCorrectionGrain(
    [PersistentState("invoice-correction", StorageNames.Billing)] IPersistentState<InvoiceCorrectionState> state,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time,
    TimeProvider systemTime,
    IStripeCorrectionGateway stripe) : Grain, IInvoiceCorrectionGrain
{
    /// <summary>How far apart a correction's own requests are booked: about what a request takes.</summary>
    private static readonly TimeSpan Gap = TimeSpan.FromMilliseconds(250);

    private string InvoiceKey => this.GetPrimaryKeyString();

    private IStripeInvoiceGrain Invoice => GrainFactory.GetGrain<IStripeInvoiceGrain>(InvoiceKey);

    private string CreditRoute => $"POST /v1/accounts/{{accountId}}/tenants/{{tenantId}}/invoices/{InvoiceKey[(InvoiceKey.LastIndexOf('/') + 1)..]}/credit";

    public async Task<InvoiceSummary> VoidAsync()
    {
        var summary = await Invoice.GetSummaryAsync() ?? throw BillingProblemException.NotFound($"Invoice '{InvoiceKey}'");
        switch (summary.Status)
        {
            case InvoiceStatus.Void:
                return summary;
            case InvoiceStatus.Paid:
                throw BillingProblemException.Conflict($"The invoice is paid, so it can't be voided; credit it instead ({CreditRoute}).");
            case InvoiceStatus.Sent or InvoiceStatus.PaymentFailed or InvoiceStatus.Uncollectible when summary.StripeInvoiceId is not null:
                break;
            default:
                throw BillingProblemException.Conflict($"Only an invoice that is open in Stripe (sent, payment failed or uncollectible) can be voided; this one is {Status(summary.Status)}.");
        }

        var access = await AccessAsync();
        var voided = await VoidInStripeAsync(access, summary.StripeInvoiceId!, Turns());
        try
        {
            await Invoice.ApplyStripeEventAsync(new StripeInvoiceEvent(
                $"void:{InvoiceKey}", "invoice.voided", voided.Id, voided.Status, voided.Number, voided.AmountDue, voided.AmountPaid, voided.HostedInvoiceUrl,
                access.Mode == StripeConnectionMode.Connect ? access.StripeAccountId : null, null));
        }
        catch (Exception failure) when (failure is not BillingProblemException)
        {
            // Void in Stripe, not yet recorded here (the tax provider or the ledger failed): a repeat is answered by Stripe for the same key and records it.
            throw new BillingProblemException(ProblemKind.Unavailable, "The invoice is void in Stripe but could not be recorded yet; send the request again.");
        }

        if (state.State.VoidedAt is null)
        {
            state.State.VoidedAt = time.GetUtcNow();
            await state.WriteStateAsync();
        }

        return await Invoice.GetSummaryAsync() ?? summary;
    }

    public async Task<CreditResult> CreditAsync(CreditRequest request)
    {
        var entry = state.State.Credits.Find(c => c.Request.RequestId == request.RequestId);
        if (entry is not null && !entry.Request.Equals(request))
        {
            throw BillingProblemException.Conflict($"Credit request '{request.RequestId}' was already used for another credit.");
        }

        var summary = await Invoice.GetSummaryAsync() ?? throw BillingProblemException.NotFound($"Invoice '{InvoiceKey}'");
        var draft = (await Invoice.GetDraftAsync())!;
        if (entry?.Result is not null)
        {
            await RecordInLedgerAsync(entry, summary, draft);
            return entry.Result;
        }

        if (summary.Status != InvoiceStatus.Paid || summary.StripeInvoiceId is null)
        {
            throw BillingProblemException.Conflict(summary.Status is InvoiceStatus.Sent or InvoiceStatus.PaymentFailed or InvoiceStatus.Uncollectible
                ? $"Only a paid invoice is credited; this one is still open in Stripe, so void it instead (POST …/invoices/{InvoiceKey[(InvoiceKey.LastIndexOf('/') + 1)..]}/void)."
                : $"Only a paid invoice is credited; this one is {Status(summary.Status)}.");
        }

        var issued = state.State.Credits.Where(c => c.Result is not null).ToList();
        var plan = CreditNotePlans.Plan(draft, request.Lines, [.. issued.SelectMany(c => c.Result!.Lines)], [.. issued.SelectMany(c => c.Taxes)]);
        var access = await AccessAsync();
        var turns = Turns();
        StripeCreditNote note;
        try
        {
            // Every slot the note needs, before anything is written: a 503 here leaves the request id unused.
            await turns.BookAsync(access, entry is { Attempt: > 0 } ? CreditRequestsAfterFailure : CreditRequests, Gap);
            if (entry is null)
            {
                entry = new CreditEntry { Request = request };
                state.State.Credits.Add(entry);
                await state.WriteStateAsync();
            }

            note = await IssueAsync(access, entry, summary.StripeInvoiceId, plan, turns);
        }
        finally
        {
            turns.ReleaseAll();
        }

        entry.Result = new CreditResult(
            InvoiceKey, request.RequestId, request.Destination, note.Id, note.Number, plan.Subtotal, plan.TaxTotal, plan.Total, time.GetUtcNow(),
            [.. plan.Lines.Select(l => new CreditedLine(l.LineRef, l.Amount, l.TaxAmount))]);
        entry.Taxes = [.. plan.Lines.SelectMany(l => l.Taxes)];
        entry.ReportTaxes = [.. plan.Taxes];
        await state.WriteStateAsync();
        await RecordInLedgerAsync(entry, summary, draft);
        return entry.Result;
    }

    public async Task<IReadOnlyList<CreditResult>> ListCreditsAsync() =>
        await Invoice.GetSummaryAsync() is null
            ? throw BillingProblemException.NotFound($"Invoice '{InvoiceKey}'")
            : [.. state.State.Credits.Select(c => c.Result).OfType<CreditResult>()];

    private async Task<StripeCorrectedInvoice> VoidInStripeAsync(StripeAccess access, string stripeInvoiceId, StripeTurns turns)
    {
        try
        {
            await turns.BookAsync(access, [StripeEndpoints.VoidInvoice], Gap);
            await StripePacing.WaitAsync(await turns.TakeAsync(access, StripeEndpoints.VoidInvoice));
            return await stripe.VoidAsync(access, Key("void", state.State.VoidAttempt), stripeInvoiceId, CancellationToken.None);
        }
        catch (StripeCallException refused) when (refused.Kind == StripeFailureKind.Permanent)
        {
            // Voided already (an earlier void whose answer was lost, or the reseller in Stripe's Dashboard), or paid meanwhile.
            await StripePacing.WaitAsync(await turns.TakeAsync(access, StripeEndpoints.ReadInvoice));
            var current = await Read(() => stripe.GetInvoiceAsync(access, stripeInvoiceId, CancellationToken.None));
            return current.Status switch
            {
                "void" => current,
                "paid" => throw BillingProblemException.Conflict($"The invoice was paid in Stripe meanwhile, so it can't be voided; credit it instead ({CreditRoute})."),
                _ => throw BillingProblemException.Conflict($"Stripe refused the void: {refused.Message}"),
            };
        }
        catch (StripeCallException failure)
        {
            throw await UnavailableAsync(failure, () => state.State.VoidAttempt++);
        }
        finally
        {
            turns.ReleaseAll();
        }
    }

    private async Task<StripeCreditNote> IssueAsync(StripeAccess access, CreditEntry entry, string stripeInvoiceId, CreditPlan plan, StripeTurns turns)
    {
        var marker = $"{InvoiceKey}#{entry.Request.RequestId}";
        try
        {
            if (entry.Attempt > 0)
            {
                await StripePacing.WaitAsync(await turns.TakeAsync(access, StripeEndpoints.ListCreditNotes));
                if (await stripe.FindCreditNoteAsync(access, stripeInvoiceId, marker, CancellationToken.None) is { } found)
                {
                    return found;
                }
            }

            await StripePacing.WaitAsync(await turns.TakeAsync(access, StripeEndpoints.ListInvoiceLines));
            var lines = StripeLines(plan, await stripe.ListLinesAsync(access, stripeInvoiceId, CancellationToken.None));
            await StripePacing.WaitAsync(await turns.TakeAsync(access, StripeEndpoints.CreateCreditNote));
            return await stripe.CreateCreditNoteAsync(
                access, Key($"credit:{entry.Request.RequestId}", entry.Attempt), stripeInvoiceId, lines, entry.Request.Destination, marker, entry.Request.Memo, CancellationToken.None);
        }
        catch (StripeCallException refused) when (refused.Kind == StripeFailureKind.Permanent)
        {
            // Stripe did nothing: the request id stays free for a corrected request.
            state.State.Credits.Remove(entry);
            await state.WriteStateAsync();
            throw BillingProblemException.Conflict($"Stripe refused the credit note: {refused.Message}");
        }
        catch (StripeCallException failure)
        {
            throw await UnavailableAsync(failure, () => entry.Attempt++);
        }
    }

    /// <summary>A credit note's requests: its invoice's lines, then the note; after a failed attempt, a look for the note first.</summary>
    private static readonly string[] CreditRequests = [StripeEndpoints.ListInvoiceLines, StripeEndpoints.CreateCreditNote];

    private static readonly string[] CreditRequestsAfterFailure = [StripeEndpoints.ListCreditNotes, .. CreditRequests];

    /// <summary>This request's interactive slots of the account's pacer.</summary>
    private StripeTurns Turns() => new(GrainFactory, systemTime, interactive: true);

    /// <summary>The plan on Stripe's lines (ours, in our order): each tax amount by the tax rate Stripe filed that tax of the line under.</summary>
    private static List<StripeCreditLine> StripeLines(CreditPlan plan, IReadOnlyList<StripeInvoiceLine> stripeLines) =>
        [.. plan.Lines.Select(line =>
        {
            var stripeLine = line.LineIndex < stripeLines.Count ? stripeLines[line.LineIndex] : null;
            if (stripeLine is null || stripeLine.TaxRateIds.Count != line.StripeTaxAmounts.Count)
            {
                throw BillingProblemException.Conflict("The invoice's lines in Stripe are not the lines it was composed with, so it can't be credited by line here; credit it in Stripe's Dashboard.");
            }

            return new StripeCreditLine(
                stripeLine.Id,
                Money.ToCents(line.Amount),
                [.. stripeLine.TaxRateIds.Zip(line.StripeTaxAmounts, (rate, tax) => (rate, tax.AmountCents, tax.TaxableAmountCents))]);
        })];

    /// <summary>The credit's taxes given back in the tax report of the month it was issued, once.</summary>
    private async Task RecordInLedgerAsync(CreditEntry entry, InvoiceSummary summary, InvoiceDraft draft)
    {
        if (entry.LedgerRecorded || entry.Result is not { } result)
        {
            return;
        }

        if (entry.ReportTaxes.Count > 0)
        {
            // Named as the invoice's own tax rows name it: dated when it was finalized (the composed date only for invoices finalized before that was kept).
            var original = new TaxReportEntry(InvoiceKey, draft.TenantId, summary.Number, summary.StripeInvoiceId!, summary.FinalizedAt ?? draft.InvoiceDate, [], false);
            var month = BillingPeriod.Of(result.CreatedAt).ToString();
            await GrainFactory.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(draft.AccountId, month))
                .RecordTaxAdjustmentAsync(TaxAdjustments.Credit(original, entry.ReportTaxes, entry.Request.RequestId, result.Number, result.CreatedAt));
        }

        entry.LedgerRecorded = true;
        await state.WriteStateAsync();
    }

    private async Task<StripeAccess> AccessAsync()
    {
        var account = GrainFactory.GetGrain<IAccountGrain>(InvoiceKey[..InvoiceKey.IndexOf('/')]);
        return await account.GetStripeAccessAsync() is { Connected: true } access
            ? access
            : throw BillingProblemException.Conflict("The account's Stripe is disconnected; connect it again to correct its invoices.");
    }

    /// <summary>Stripe did not say what happened (no answer, a 5xx, a 429): 503, to repeat. After a 5xx the next request takes a new key.</summary>
    private async Task<BillingProblemException> UnavailableAsync(StripeCallException failure, Action spendKey)
    {
        if (failure.Kind == StripeFailureKind.Disconnected)
        {
            return BillingProblemException.Conflict(failure.Message);
        }

        if (StripeIdempotencyKeys.SpendsKey(failure.Kind))
        {
            spendKey();
            await state.WriteStateAsync();
        }

        return new BillingProblemException(ProblemKind.Unavailable, "Stripe did not complete the request; send it again (it is never done twice).");
    }

    private static async Task<T> Read<T>(Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (StripeCallException)
        {
            throw new BillingProblemException(ProblemKind.Unavailable, "Stripe did not answer; send the request again.");
        }
    }

    private string Key(string step, int attempt) => attempt == 0 ? $"{InvoiceKey}:{step}" : $"{InvoiceKey}:{step}:{attempt}";

    private static string Status(InvoiceStatus status) => status switch
    {
        InvoiceStatus.HandedOver => "handed_over",
        InvoiceStatus.WaitingForTaxes => "waiting_for_taxes",
        InvoiceStatus.PaymentFailed => "payment_failed",
        InvoiceStatus.NothingToBill => "nothing_to_bill",
        _ => status.ToString().ToLowerInvariant(),
    };
}
