using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Stripe;

namespace TenantBilling.Grains.Invoices;

/// <summary>
/// One invoice in the account's Stripe. The first draft handed over for the key is kept; then, step by
/// step: the customer, a draft invoice carrying the key in its metadata, all lines in one request,
/// finalize, then send (or charge the saved card). Each step is persisted before the next, and each
/// request carries the idempotency key <c>{invoiceKey}:{step}</c> (plus the attempt once an outcome was
/// unknown, after the invoice was first read back from Stripe). A reminder retries the invoice until it
/// is done, so a crash or a restart loses nothing; webhooks then record payment outcomes.
/// </summary>
[GrainType("stripe-invoice")]
public sealed partial class StripeInvoiceGrain(
    [PersistentState("invoice", StorageNames.Billing)] IPersistentState<InvoiceState> state,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time,
    IStripeGateway stripe,
    IOptions<BillingOptions> options,
    ILogger<StripeInvoiceGrain> logger) : Grain, IStripeInvoiceGrain, IRemindable
{
    private const string RetryReminder = "stripe-retry";
    private const int EventIdsKept = 50;
    private const string NoSavedCardNote = "Auto-charge is on but the customer has no saved card: the invoice was emailed for payment instead.";

    private bool _running;

    private InvoiceState State => state.State;

    private string InvoiceKey => this.GetPrimaryKeyString();

    private InvoiceDraft Draft => State.Draft!;

    private IAccountGrain Account => GrainFactory.GetGrain<IAccountGrain>(Draft.AccountId);

    public async Task<InvoiceSummary> SubmitAsync(InvoiceDraft draft)
    {
        if (draft.InvoiceKey != InvoiceKey)
        {
            throw new ArgumentException($"Draft {draft.InvoiceKey} was handed to invoice {InvoiceKey}.", nameof(draft));
        }

        if (State.Draft is null)
        {
            var now = time.GetUtcNow();
            State.Draft = draft;
            State.Status = InvoiceStatus.HandedOver;
            State.HandedOverAt = now;
            State.UpdatedAt = now;
            await state.WriteStateAsync();
            await this.RegisterOrUpdateReminder(RetryReminder, options.Value.RetryInterval, options.Value.RetryInterval);
            RunSoon();
        }

        return Summary();
    }

    public Task<InvoiceSummary?> GetSummaryAsync() => Task.FromResult(State.Draft is null ? null : Summary());

    public Task<InvoiceDraft?> GetDraftAsync() => Task.FromResult(State.Draft);

    public Task ResumeAsync()
    {
        if (State.InProgress)
        {
            RunSoon();
        }

        return Task.CompletedTask;
    }

    public async Task<InvoiceSummary> RetryAsync()
    {
        if (State.Draft is null)
        {
            throw BillingProblemException.NotFound($"Invoice '{InvoiceKey}'");
        }

        if (State.Status is not (InvoiceStatus.Failed or InvoiceStatus.PaymentFailed))
        {
            throw BillingProblemException.Conflict($"Only a failed invoice can be retried; this one is {State.Status}.");
        }

        if (State.Status == InvoiceStatus.PaymentFailed)
        {
            State.Step = InvoiceStep.Finalized;
        }

        State.RetryRound++;
        State.Attempt = 0;
        State.Reconcile = State.StripeInvoiceId is not null || State.CreateSentAt is not null;
        State.FailureReason = null;
        State.Status = InvoiceStatus.HandedOver;
        State.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder(RetryReminder, options.Value.RetryInterval, options.Value.RetryInterval);
        RunSoon();
        return Summary();
    }

    public async Task<bool> ApplyStripeEventAsync(StripeInvoiceEvent stripeEvent)
    {
        if (State.Draft is null || stripeEvent.StripeInvoiceId != State.StripeInvoiceId || State.AppliedEventIds.Contains(stripeEvent.EventId))
        {
            return false;
        }

        var settled = State.Status is InvoiceStatus.Paid or InvoiceStatus.Void;
        switch (stripeEvent.Type)
        {
            case "invoice.paid":
                if (State.Status != InvoiceStatus.Void)
                {
                    State.Status = InvoiceStatus.Paid;
                }

                break;
            case "invoice.payment_failed" when !settled:
                State.Status = InvoiceStatus.PaymentFailed;
                State.FailureReason = stripeEvent.FailureMessage ?? "The payment failed.";
                break;
            case "invoice.voided":
                State.Status = InvoiceStatus.Void;
                await VoidTaxesAsync();
                break;
            case "invoice.marked_uncollectible" when !settled:
                State.Status = InvoiceStatus.Uncollectible;
                break;
            case "invoice.finalized" or "invoice.payment_failed" or "invoice.marked_uncollectible":
                break;
            default:
                return false;
        }

        State.Number ??= stripeEvent.Number;
        State.HostedInvoiceUrl ??= stripeEvent.HostedInvoiceUrl;
        State.AmountDueCents = stripeEvent.AmountDueCents;
        State.AmountPaidCents = stripeEvent.AmountPaidCents;
        State.AppliedEventIds.Add(stripeEvent.EventId);
        if (State.AppliedEventIds.Count > EventIdsKept)
        {
            State.AppliedEventIds.RemoveAt(0);
        }

        State.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        return true;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => reminderName == RetryReminder ? RunAsync() : Task.CompletedTask;

    private void RunSoon() =>
        this.RegisterGrainTimer(_ => RunAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));

    private async Task RunAsync()
    {
        if (_running)
        {
            return;
        }

        _running = true;
        try
        {
            await RunStepsAsync();
        }
        finally
        {
            _running = false;
        }
    }

    private async Task RunStepsAsync()
    {
        if (!State.InProgress)
        {
            await StopRetryingAsync();
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (await ConnectedAccessAsync() is not { } access)
                {
                    return;
                }

                await AdvanceAsync(access);
                await StopRetryingAsync();
                return;
            }
            catch (StripeCallException failure)
            {
                if (!await RecordFailureAsync(failure) || attempt >= RetryBackoff.QuickAttempts)
                {
                    // Settled, or Stripe still refuses: the reminder tries again at the retry interval.
                    return;
                }

                await Task.Delay(RetryBackoff.Delay(attempt));
            }
        }
    }

    /// <summary>Takes the invoice through every step it has not completed yet.</summary>
    private async Task AdvanceAsync(StripeAccess access)
    {
        if (State.Reconcile)
        {
            await ReconcileAsync(access);
        }

        if (State.Step == InvoiceStep.Accepted)
        {
            State.CustomerId = await Customer.EnsureAsync(access);
            await MoveToAsync(InvoiceStep.CustomerReady);
        }

        if (State.Step == InvoiceStep.CustomerReady)
        {
            await CreateAsync(access);
        }

        if (State.Step == InvoiceStep.Created)
        {
            access = await NextTurnAsync();
            Adopt(await stripe.AddLinesAsync(access, Key("lines"), State.StripeInvoiceId!, Lines(), CancellationToken.None));
            await MoveToAsync(InvoiceStep.LinesAdded);
        }

        if (State.Step == InvoiceStep.LinesAdded)
        {
            access = await NextTurnAsync();
            Adopt(await stripe.FinalizeAsync(access, Key("finalize"), State.StripeInvoiceId!, CancellationToken.None));
            await FinalizedAsync();
        }

        if (State.Step == InvoiceStep.Finalized)
        {
            access = await NextTurnAsync();
            var charge = State.CollectionMethod == "charge_automatically";
            var delivered = charge
                ? await stripe.PayAsync(access, Key("pay"), State.StripeInvoiceId!, CancellationToken.None)
                : await stripe.SendAsync(access, Key("send"), State.StripeInvoiceId!, CancellationToken.None);
            Adopt(delivered);
            State.Status = delivered.Status == "paid" ? InvoiceStatus.Paid : InvoiceStatus.Sent;
            await MoveToAsync(InvoiceStep.Delivered);
        }

        await CommitTaxesAsync();
    }

    private async Task CreateAsync(StripeAccess access)
    {
        // Past Stripe's 24-hour idempotency window a repeated create would make a second invoice: look for ours first.
        var found = State.CreateSentAt is { } sentAt && time.GetUtcNow() - sentAt > TimeSpan.FromHours(23)
            ? await stripe.FindInvoiceAsync(await NextTurnAsync(), InvoiceKey, CancellationToken.None)
            : null;
        if (found is null)
        {
            if (State.CreateSentAt is null)
            {
                State.CreateSentAt = time.GetUtcNow();
                await state.WriteStateAsync();
            }

            access = await NextTurnAsync();
            found = await stripe.CreateInvoiceAsync(access, Key("create"), State.CustomerId!, InvoiceKey, Draft.Description, Draft.AutoCharge, CancellationToken.None);
            if (Draft.AutoCharge && found.CollectionMethod == "charge_automatically" && !found.CustomerHasSavedCard)
            {
                Adopt(found);
                await state.WriteStateAsync();
                access = await NextTurnAsync();
                found = await stripe.SwitchToSendInvoiceAsync(access, Key("send-by-email"), found.Id, CancellationToken.None);
                State.Note = NoSavedCardNote;
            }
        }

        Adopt(found);
        await MoveToAsync(InvoiceStep.Created);
    }

    /// <summary>After an unknown outcome, reads what Stripe has so that no step is done twice.</summary>
    private async Task ReconcileAsync(StripeAccess access)
    {
        var invoice = State.StripeInvoiceId is { } id
            ? await stripe.GetInvoiceAsync(await NextTurnAsync(), id, CancellationToken.None)
            : State.CreateSentAt is not null
                ? await stripe.FindInvoiceAsync(await NextTurnAsync(), InvoiceKey, CancellationToken.None)
                : null;

        if (invoice is not null)
        {
            Adopt(invoice);
            if (State.Step < InvoiceStep.Created)
            {
                State.Step = InvoiceStep.Created;
            }

            if (invoice.LineCount > 0 && State.Step < InvoiceStep.LinesAdded)
            {
                State.Step = InvoiceStep.LinesAdded;
            }

            if (invoice.Status is not "draft" && State.Step < InvoiceStep.Finalized)
            {
                await FinalizedAsync();
            }

            if (invoice.Status == "paid" && State.Step < InvoiceStep.Delivered)
            {
                State.Status = InvoiceStatus.Paid;
                State.Step = InvoiceStep.Delivered;
            }
        }

        State.Reconcile = false;
        await state.WriteStateAsync();
    }

    /// <summary>The invoice is final in Stripe: charge the phantom fee and record its taxes, in the ledger of this month.</summary>
    private async Task FinalizedAsync()
    {
        State.FinalizedAt ??= time.GetUtcNow();
        await MoveToAsync(InvoiceStep.Finalized);
        if (State.LedgerRecorded)
        {
            return;
        }

        var ledger = GrainFactory.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(Draft.AccountId, LedgerMonth));
        if (PhantomFees.Applies(Draft.UsageTotal))
        {
            await ledger.RecordPhantomFeeAsync(new PhantomFee(
                InvoiceKey, Draft.TenantId, PhantomFees.Fee, Draft.UsageTotal, State.FinalizedAt.Value, State.StripeInvoiceId!, State.Number));
        }

        if (Draft.Taxes.Count > 0)
        {
            await ledger.RecordTaxesAsync(new TaxReportEntry(
                InvoiceKey, Draft.TenantId, State.Number, State.StripeInvoiceId!, State.FinalizedAt.Value, Draft.Taxes, Voided: false));
        }

        State.LedgerRecorded = true;
        await state.WriteStateAsync();
    }

    private async Task CommitTaxesAsync()
    {
        if (State.TaxesCommitted || State.Step < InvoiceStep.Finalized || Draft.TaxJurisdiction is not { } jurisdiction)
        {
            return;
        }

        try
        {
            await GrainFactory.GetGrain<ITaxRatingGrain>(0).CommitAsync(InvoiceTaxes.RequestFor(Draft, jurisdiction, Draft.TaxExemptions ?? TaxExemptions.None));
            State.TaxesCommitted = true;
            await state.WriteStateAsync();
        }
        catch (Exception exception) when (exception is not StripeCallException)
        {
            // The invoice is sent and its taxes are in our ledger; the provider's own record is retried on the next tick.
            LogTaxCommitFailed(logger, exception, InvoiceKey);
        }
    }

    private async Task VoidTaxesAsync()
    {
        if (State.LedgerRecorded && Draft.Taxes.Count > 0)
        {
            await GrainFactory.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(Draft.AccountId, LedgerMonth)).VoidTaxesAsync(InvoiceKey);
            await GrainFactory.GetGrain<ITaxRatingGrain>(0).VoidAsync(InvoiceKey);
        }
    }

    /// <summary>Records a failure; false when it settles the invoice (no quick retry).</summary>
    private async Task<bool> RecordFailureAsync(StripeCallException failure)
    {
        LogStripeFailure(logger, InvoiceKey, State.Step, failure.Kind, failure.Message);
        switch (failure.Kind)
        {
            case StripeFailureKind.RateLimited or StripeFailureKind.KeyInUse or StripeFailureKind.Disconnected:
                return true;
            case StripeFailureKind.Unknown:
                State.Reconcile = true;
                State.Attempt++;
                await state.WriteStateAsync();
                return true;
            case StripeFailureKind.CardDeclined when State.Step == InvoiceStep.Finalized:
                State.Status = InvoiceStatus.PaymentFailed;
                State.FailureReason = failure.Message;
                State.Step = InvoiceStep.Delivered;
                break;
            case StripeFailureKind.CustomerMissing:
                await Customer.ForgetAsync(State.CustomerId ?? string.Empty);
                State.Status = InvoiceStatus.Failed;
                State.FailureReason = failure.Message;
                if (State.Step < InvoiceStep.Finalized)
                {
                    // The draft went with the customer: a retry starts over with a new customer and invoice.
                    State.Step = InvoiceStep.Accepted;
                    State.StripeInvoiceId = null;
                    State.CreateSentAt = null;
                }

                break;
            default:
                State.Status = InvoiceStatus.Failed;
                State.FailureReason = failure.Message;
                break;
        }

        State.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        await StopRetryingAsync();
        return false;
    }

    /// <summary>The account's Stripe access, or null after holding the invoice because Stripe is disconnected.</summary>
    private async Task<StripeAccess?> ConnectedAccessAsync()
    {
        var access = await Account.GetStripeAccessAsync();
        if (access is { Connected: true })
        {
            if (State.Status == InvoiceStatus.Held)
            {
                State.Status = InvoiceStatus.HandedOver;
                State.UpdatedAt = time.GetUtcNow();
                await state.WriteStateAsync();
            }

            return access;
        }

        if (State.Status != InvoiceStatus.Held)
        {
            State.Status = InvoiceStatus.Held;
            State.UpdatedAt = time.GetUtcNow();
            await state.WriteStateAsync();
            await Account.HoldInvoiceAsync(InvoiceKey);
        }

        return null;
    }

    /// <summary>Waits for the account's next request slot; re-reads the access so a disconnect stops the very next request.</summary>
    private async Task<StripeAccess> NextTurnAsync()
    {
        var access = await ConnectedAccessAsync()
            ?? throw new StripeCallException(StripeFailureKind.Disconnected, "The account's Stripe was disconnected; the invoice is held.");
        await StripePacing.WaitTurnAsync(GrainFactory, access);
        return access;
    }

    private async Task MoveToAsync(InvoiceStep step)
    {
        State.Step = step;
        State.Attempt = 0;
        State.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
    }

    private async Task StopRetryingAsync()
    {
        if (await this.GetReminder(RetryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private void Adopt(StripeInvoiceSnapshot invoice)
    {
        State.StripeInvoiceId = invoice.Id;
        State.CollectionMethod = invoice.CollectionMethod;
        State.Number = invoice.Number ?? State.Number;
        State.AmountDueCents = invoice.AmountDue;
        State.AmountPaidCents = invoice.AmountPaid;
        State.HostedInvoiceUrl = invoice.HostedInvoiceUrl ?? State.HostedInvoiceUrl;
    }

    private List<StripeLine> Lines() =>
        StripeInvoiceLines.For(Draft).Select(l => new StripeLine(l.AmountCents, l.Description)).ToList();

    /// <summary>The deterministic idempotency key of a step's request: the same step, attempt and retry round give the same key.</summary>
    private string Key(string step) =>
        State.Attempt == 0 && State.RetryRound == 0 ? $"{InvoiceKey}:{step}" : $"{InvoiceKey}:{step}:{State.RetryRound}.{State.Attempt}";

    private string LedgerMonth => BillingPeriod.Of(State.FinalizedAt ?? time.GetUtcNow()).ToString();

    private IStripeCustomerGrain Customer => GrainFactory.GetGrain<IStripeCustomerGrain>(GrainKeys.Tenant(Draft.AccountId, Draft.TenantId));

    private InvoiceSummary Summary()
    {
        var draft = Draft;
        var requestId = draft.Kind == InvoiceKind.OneTime ? draft.InvoiceKey[(draft.InvoiceKey.LastIndexOf("/once-", StringComparison.Ordinal) + 6)..] : null;
        return new InvoiceSummary(
            draft.InvoiceKey, draft.Kind, draft.Period, requestId, State.Status, draft.InvoiceDate, draft.Total,
            State.StripeInvoiceId, State.Number, State.AmountDueCents, State.AmountPaidCents, State.HostedInvoiceUrl,
            State.FailureReason, State.UpdatedAt, State.Note);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe refused invoice {InvoiceKey} at step {Step} ({Kind}): {StripeMessage}")]
    private static partial void LogStripeFailure(ILogger logger, string invoiceKey, InvoiceStep step, StripeFailureKind kind, string stripeMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing the taxes of invoice {InvoiceKey} with the provider failed; retrying later")]
    private static partial void LogTaxCommitFailed(ILogger logger, Exception exception, string invoiceKey);
}

[GrainType("invoice-history")]
public sealed class InvoiceHistoryGrain(
    [PersistentState("invoice-history", StorageNames.Billing)] IPersistentState<InvoiceHistoryState> state) : Grain, IInvoiceHistoryGrain
{
    public async Task AddAsync(string invoiceKey)
    {
        if (!state.State.InvoiceKeys.Contains(invoiceKey))
        {
            state.State.InvoiceKeys.Add(invoiceKey);
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.InvoiceKeys.ToList());
}
