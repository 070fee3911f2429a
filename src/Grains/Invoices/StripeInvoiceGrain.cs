using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using TenantBilling.Grains.BillRuns;
using TenantBilling.Grains.Domain;
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
/// request carries a deterministic idempotency key (<see cref="StripeIdempotencyKeys"/>). After an unknown
/// outcome the invoice is read back from Stripe (listed, if its id is not known) before anything is sent
/// again. A reminder retries the invoice until it is done, so a crash or a restart loses nothing;
/// webhooks then record payment outcomes. The rules live in plain classes: <see cref="StripeInvoiceLines"/>,
/// <see cref="StripeInvoiceOutcome"/>, <see cref="InvoiceReconciliation"/>, <see cref="StripeAmountLimits"/>.
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

    private InvoiceState State => state.State;

    // Bill runs and the transition metric (issue 11): each watched call reports the status it leaves the invoice at.
    private InvoiceStatusReports StatusReports => statusReports ??= new(GrainFactory, ServiceProvider, () => State.Draft is null ? null : Summary());
    private InvoiceStatusReports? statusReports;

    /// <summary>This activation listed the customer's invoices and sent no create since that could have made one.</summary>
    private bool listedSinceLastCreate;

    private string InvoiceKey => this.GetPrimaryKeyString();

    private InvoiceDraft Draft => State.Draft!;

    private IAccountGrain Account => GrainFactory.GetGrain<IAccountGrain>(Draft.AccountId);

    public async Task<InvoiceSummary> SubmitAsync(InvoiceDraft draft)
    {
        await using var reported = StatusReports.Start(); // bill runs (issue 11)
        if (draft.InvoiceKey != InvoiceKey)
        {
            throw new ArgumentException($"Draft {draft.InvoiceKey} was handed to invoice {InvoiceKey}.", nameof(draft));
        }

        if (State.Draft is null)
        {
            var now = time.GetUtcNow();
            State.Draft = draft;
            State.Status = draft.Lines.Count == 0 ? InvoiceStatus.NothingToBill : InvoiceStatus.HandedOver;
            if (StripeAmountLimits.Refusal(draft) is { } tooLarge)
            {
                // Stripe could never charge it: fail it visibly now instead of with a Stripe error on the billing day.
                State.Status = InvoiceStatus.Failed;
                State.FailureReason = tooLarge;
            }

            State.HandedOverAt = now;
            State.UpdatedAt = now;
            await state.WriteStateAsync();
        }

        // Also on a repeated hand-over: the first may have stored the draft and failed before its reminder.
        if (NeedsWork)
        {
            await this.RegisterOrUpdateReminder(RetryReminder, options.Value.RetryInterval, options.Value.RetryInterval);
            RunSoon();
        }

        return Summary();
    }

    public Task<InvoiceSummary?> GetSummaryAsync() => Task.FromResult(State.Draft is null ? null : Summary());

    public Task<InvoiceDraft?> GetDraftAsync() => Task.FromResult(State.Draft);

    public Task ResumeAsync()
    {
        if (NeedsWork)
        {
            RunSoon();
        }

        return Task.CompletedTask;
    }

    public async Task<InvoiceSummary> RetryAsync()
    {
        await using var reported = StatusReports.Start(); // bill runs (issue 11)
        if (State.Draft is null)
        {
            throw BillingProblemException.NotFound($"Invoice '{InvoiceKey}'");
        }

        if (State.Status is not (InvoiceStatus.Failed or InvoiceStatus.PaymentFailed))
        {
            throw BillingProblemException.Conflict($"Only a failed invoice can be retried; this one is {State.Status}.");
        }

        if (StripeAmountLimits.Refusal(Draft) is { } tooLarge)
        {
            throw BillingProblemException.Conflict(tooLarge);
        }

        if (State.Status == InvoiceStatus.PaymentFailed)
        {
            State.Step = InvoiceStep.Finalized;
            State.ChargeAttemptsBefore = State.ChargeAttempts;
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
        await using var reported = StatusReports.Start(); // bill runs (issue 11)
        // The event must come from the Stripe the invoice lives in: its Connect account, or (no account) the account's own Stripe.
        var fromItsStripe = stripeEvent.StripeAccountId is { } connected
            ? State.StripeIdentity == $"connect:{connected}"
            : State.StripeIdentity?.StartsWith("key:", StringComparison.Ordinal) == true;
        if (State.Draft is null || !fromItsStripe || stripeEvent.StripeInvoiceId != State.StripeInvoiceId || State.AppliedEventIds.Contains(stripeEvent.EventId))
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

        // Events can arrive out of order: the amount paid only grows.
        State.Number ??= stripeEvent.Number;
        State.HostedInvoiceUrl ??= stripeEvent.HostedInvoiceUrl;
        State.AmountDueCents = stripeEvent.AmountDueCents;
        State.AmountPaidCents = Math.Max(State.AmountPaidCents ?? 0, stripeEvent.AmountPaidCents);
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

    /// <summary>Work is left: steps in Stripe, or the provider's record of the taxes.</summary>
    private bool NeedsWork => State.InProgress || State.TaxesToCommit;

    private void RunSoon() =>
        this.RegisterGrainTimer(
            async _ =>
            {
                try
                {
                    await RunAsync();
                }
                catch (Exception exception)
                {
                    // Not a grain call, so the call filter can't drop the activation: do it here (the reminder retries).
                    LogRunFailed(logger, exception, InvoiceKey);
                    Hosting.DropActivationOnFailure.Drop(GrainContext, exception);
                }
            },
            new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));

    private async Task RunAsync()
    {
        await using var reported = StatusReports.Start(); // bill runs (issue 11)
        if (!NeedsWork)
        {
            await StopRetryingAsync();
            return;
        }

        // Quick retries count failures in a row at one step: each step that gets through earns a fresh budget.
        var failedStep = State.Step;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                if (State.InProgress)
                {
                    if (await ConnectedAccessAsync() is not { } access)
                    {
                        return;
                    }

                    await AdvanceAsync(access);
                }

                if (State.TaxesToCommit && !await CommitTaxesAsync())
                {
                    return;
                }

                await StopRetryingAsync();
                return;
            }
            catch (StripeCallException failure)
            {
                if (State.Step != failedStep)
                {
                    (failedStep, attempt) = (State.Step, 1);
                }

                if (!await RecordFailureAsync(failure) || attempt >= RetryBackoff.QuickAttempts)
                {
                    // Settled, or Stripe still refuses: the reminder tries again at the retry interval.
                    return;
                }

                await Task.Delay(RetryBackoff.Delay(attempt, options.Value.QuickRetryDelay));
            }
        }
    }

    /// <summary>Takes the invoice through every step it has not completed yet.</summary>
    private async Task AdvanceAsync(StripeAccess access)
    {
        if (State.StripeIdentity is { } identity && identity != access.StripeIdentity && !await StartOverInNewStripeAsync())
        {
            return;
        }

        var listed = false;
        if (State.Reconcile)
        {
            listed = await ReconcileAsync();
        }

        if (State.StripeInvoiceId is not null)
        {
            // Found again by reading Stripe rather than created in this run: it lives in the Stripe connected now.
            State.StripeIdentity ??= access.StripeIdentity;
        }

        if (State.Step == InvoiceStep.Accepted)
        {
            State.CustomerId = await Customer.EnsureAsync(access);
            await MoveToAsync(InvoiceStep.CustomerReady);
        }

        if (State.Step == InvoiceStep.CustomerReady)
        {
            await CreateAsync(access, listed);
        }

        if (State.Step == InvoiceStep.Created)
        {
            await SettleCollectionAsync();
            access = await NextTurnAsync();
            Adopt(await stripe.AddLinesAsync(access, Key("lines"), State.StripeInvoiceId!, Lines(), CancellationToken.None));
            await MoveToAsync(InvoiceStep.LinesAdded);
        }

        if (State.Step == InvoiceStep.LinesAdded && State.StripeTotalCents is { } stripeTotal && stripeTotal != Money.ToCents(Draft.Total))
        {
            await DiscardMismatchedDraftAsync(stripeTotal);
            return;
        }

        if (State.Step == InvoiceStep.LinesAdded)
        {
            if (State.SweepStrays)
            {
                // A create whose outcome was unknown may have made a draft Stripe showed only later: only ours is finalized.
                await FindOursAsync();
                State.SweepStrays = false;
                await state.WriteStateAsync();
            }

            access = await NextTurnAsync();
            var finalized = await stripe.FinalizeAsync(access, Key("finalize"), State.StripeInvoiceId!, CancellationToken.None);
            Adopt(finalized);
            State.ChargeAttemptsBefore = State.ChargeAttempts;
            State.FinalizedAt ??= time.GetUtcNow();
            await MoveToAsync(InvoiceStep.Finalized);
        }

        // Checked on every run until done, so a failure between finalizing and recording loses nothing.
        if (State.Step >= InvoiceStep.Finalized && !State.LedgerRecorded)
        {
            await RecordInLedgerAsync();
        }

        if (State.Step == InvoiceStep.Finalized)
        {
            await DeliverAsync();
        }
    }

    /// <summary>
    /// Sends the invoice, or charges the saved card. An invoice Stripe already marked paid at finalization
    /// (nothing due after the customer's credit, or under the minimum charge) is never charged; one to be
    /// emailed is still sent, so the tenant has it.
    /// </summary>
    private async Task DeliverAsync()
    {
        var access = await NextTurnAsync();
        var current = Snapshot();
        StripeInvoiceSnapshot delivered;
        if (State.CollectionMethod != "charge_automatically")
        {
            delivered = await stripe.SendAsync(access, Key("send"), State.StripeInvoiceId!, CancellationToken.None);
        }
        else if (StripeInvoiceOutcome.NeedsCharge(current))
        {
            delivered = await stripe.PayAsync(access, Key("pay"), State.StripeInvoiceId!, CancellationToken.None);
        }
        else
        {
            delivered = current;
        }

        Adopt(delivered);
        State.Note ??= StripeInvoiceOutcome.PaidWithoutCharge(delivered);
        State.Status = StripeInvoiceOutcome.AfterDelivery(delivered);
        await MoveToAsync(InvoiceStep.Delivered);
    }

    private async Task CreateAsync(StripeAccess access, bool listed)
    {
        // A create was sent before and its outcome is not known here (an unknown answer, a lost write, or
        // Stripe's 24-hour key window past): look for ours by listing first, so one key makes one invoice.
        var found = State.CreateSentAt is not null && !listed && !listedSinceLastCreate ? await FindOursAsync() : null;
        listedSinceLastCreate |= State.CreateSentAt is not null;
        if (found is null)
        {
            if (State.CreateSentAt is null)
            {
                State.CreateSentAt = time.GetUtcNow();
                await state.WriteStateAsync();
            }

            access = await NextTurnAsync();
            try
            {
                found = await stripe.CreateInvoiceAsync(
                    access, Key("create", State.CustomerId, Draft.AutoCharge, access.Settings.DaysUntilDue), State.CustomerId!, InvoiceKey, Draft.Description, Draft.AutoCharge, CancellationToken.None);
            }
            catch (StripeCallException refused) when (refused.Kind == StripeFailureKind.RateLimited)
            {
                // A 429 did nothing: the listing just made still holds, and the create goes again without another.
                throw;
            }
            catch (StripeCallException)
            {
                listedSinceLastCreate = false;
                throw;
            }
        }

        Adopt(found);
        State.StripeIdentity = access.StripeIdentity;
        await MoveToAsync(InvoiceStep.Created);
    }

    /// <summary>
    /// The customer's invoices carrying our key, listed (strongly consistent; Stripe's search can lag a
    /// minute): ours is kept (the recorded one, else the one furthest along) and every other draft with our
    /// key is deleted, so exactly one Stripe invoice per invoice key remains.
    /// </summary>
    private async Task<StripeInvoiceSnapshot?> FindOursAsync()
    {
        if (State.CustomerId is not { } customerId || State.CreateSentAt is null)
        {
            return null;
        }

        var carrying = await stripe.ListInvoicesAsync(await NextTurnAsync(), customerId, InvoiceKey, CancellationToken.None);
        var choice = InvoiceReconciliation.Choose(State.StripeInvoiceId, carrying);
        foreach (var stray in choice.StrayDrafts)
        {
            await stripe.DeleteDraftAsync(await NextTurnAsync(), stray.Id, CancellationToken.None);
            LogStrayDeleted(logger, InvoiceKey, stray.Id);
        }

        if (choice.OtherFinalized.Count > 0)
        {
            LogOtherFinalized(logger, InvoiceKey, choice.OtherFinalized.Count);
        }

        return choice.Keep;
    }

    /// <summary>An auto-charge invoice whose customer has no saved card is emailed for payment instead, and says why.</summary>
    private async Task SettleCollectionAsync()
    {
        if (State.CollectionChecked)
        {
            return;
        }

        if (Draft.AutoCharge && !State.CustomerHasSavedCard)
        {
            // Already switched when a switch's answer was lost and the invoice was read back.
            if (State.CollectionMethod == "charge_automatically")
            {
                var access = await NextTurnAsync();
                Adopt(await stripe.SwitchToSendInvoiceAsync(access, Key("send-by-email", access.Settings.DaysUntilDue), State.StripeInvoiceId!, CancellationToken.None));
            }

            State.Note = NoSavedCardNote;
        }

        State.CollectionChecked = true;
        await state.WriteStateAsync();
    }

    /// <summary>
    /// Stripe's draft does not total what we composed (an account setting such as a default tax rate or
    /// automatic tax changed it): it is deleted, never finalized, and the invoice fails with the reason;
    /// a retry creates it afresh.
    /// </summary>
    private async Task DiscardMismatchedDraftAsync(long stripeTotal)
    {
        var access = await NextTurnAsync();
        await stripe.DeleteDraftAsync(access, State.StripeInvoiceId!, CancellationToken.None);
        var reason = $"Stripe's draft totaled {Money.FromCentsText(stripeTotal)}, not the {Money.FromCentsText(Money.ToCents(Draft.Total))} composed; it was deleted and not sent. Check the account's Stripe invoice settings (default tax rates, automatic tax), then retry.";
        State.Step = InvoiceStep.CustomerReady;
        State.StripeInvoiceId = null;
        State.StripeTotalCents = null;
        State.CreateSentAt = null;
        State.CollectionChecked = false;
        await RecordFailureAsync(new StripeCallException(StripeFailureKind.Permanent, reason));
    }

    /// <summary>
    /// The account connected a different Stripe: an invoice not yet final there starts over (new customer,
    /// new invoice, new keys); a final one can't be finished in the new Stripe and fails with the reason.
    /// </summary>
    private async Task<bool> StartOverInNewStripeAsync()
    {
        if (State.Step >= InvoiceStep.Finalized)
        {
            await RecordFailureAsync(new StripeCallException(
                StripeFailureKind.Permanent, "The account connected a different Stripe after this invoice was finalized in the previous one."));
            return false;
        }

        State.Step = InvoiceStep.Accepted;
        State.StripeInvoiceId = null;
        State.CustomerId = null;
        State.CreateSentAt = null;
        State.Reconcile = false;
        State.CollectionChecked = false;
        State.StripeIdentity = null;
        State.RetryRound++;
        await state.WriteStateAsync();
        return true;
    }

    /// <summary>
    /// After an unknown outcome, reads what Stripe has so that no step is done twice: the invoice by its id,
    /// or, if its create's answer was lost, by listing the customer's invoices. True when it listed them.
    /// </summary>
    private async Task<bool> ReconcileAsync()
    {
        var listed = State.StripeInvoiceId is null && State.CreateSentAt is not null;
        var invoice = State.StripeInvoiceId is { } id
            ? await stripe.GetInvoiceAsync(await NextTurnAsync(), id, CancellationToken.None)
            : listed ? await FindOursAsync() : null;

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
                State.FinalizedAt ??= time.GetUtcNow();
                State.Step = InvoiceStep.Finalized;
            }

            if (invoice.Status == "paid" && State.Step < InvoiceStep.Delivered && State.CollectionMethod == "charge_automatically")
            {
                State.Status = InvoiceStatus.Paid;
                State.Note ??= StripeInvoiceOutcome.PaidWithoutCharge(invoice);
                State.Step = InvoiceStep.Delivered;
            }
            else if (State.Step == InvoiceStep.Finalized && State.CollectionMethod == "charge_automatically"
                && StripeInvoiceOutcome.ChargeFailedUnseen(invoice, State.ChargeAttemptsBefore))
            {
                // Our charge ran and did not succeed, its answer lost: the card is not tried again until a retry.
                State.Status = InvoiceStatus.PaymentFailed;
                State.FailureReason = "Stripe attempted the charge and it was declined or failed (its answer was lost); retry to charge again.";
                State.Step = InvoiceStep.Delivered;
            }
        }

        State.Reconcile = false;
        await state.WriteStateAsync();
        return listed;
    }

    /// <summary>The invoice is final in Stripe: charge the phantom fee and record its taxes, in the ledger of the month it was finalized.</summary>
    private async Task RecordInLedgerAsync()
    {
        var finalizedAt = State.FinalizedAt ??= time.GetUtcNow();
        var ledger = GrainFactory.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(Draft.AccountId, LedgerMonth));
        if (PhantomFees.Applies(Draft.UsageTotal))
        {
            await ledger.RecordPhantomFeeAsync(new PhantomFee(
                InvoiceKey, Draft.TenantId, PhantomFees.Fee, Draft.UsageTotal, finalizedAt, State.StripeInvoiceId!, State.Number));
        }

        if (Draft.Taxes.Count > 0)
        {
            await ledger.RecordTaxesAsync(new TaxReportEntry(
                InvoiceKey, Draft.TenantId, State.Number, State.StripeInvoiceId!, finalizedAt, Draft.Taxes, Voided: false));
        }

        State.LedgerRecorded = true;
        await state.WriteStateAsync();
    }

    /// <summary>Records the sent invoice's taxes with the provider; false when it failed (the reminder retries it).</summary>
    private async Task<bool> CommitTaxesAsync()
    {
        try
        {
            await GrainFactory.GetGrain<ITaxRatingGrain>(0).CommitAsync(InvoiceTaxes.RequestFor(Draft, Draft.TaxJurisdiction!, Draft.TaxExemptions ?? TaxExemptions.None));
            State.TaxesCommitted = true;
            await state.WriteStateAsync();
            return true;
        }
        catch (Exception exception) when (exception is not StripeCallException)
        {
            // The invoice is sent and its taxes are in our ledger; only the provider's own record waits.
            LogTaxCommitFailed(logger, exception, InvoiceKey);
            return false;
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
            case StripeFailureKind.Unknown or StripeFailureKind.ServerError:
                // Read Stripe before going on. A 5xx is what Stripe now replays for the key, so the next request
                // takes a new attempt; no answer keeps the key, and Stripe's replay says whether it ran.
                State.Reconcile = true;
                State.SweepStrays |= State.Step == InvoiceStep.CustomerReady;
                if (StripeIdempotencyKeys.SpendsKey(failure.Kind))
                {
                    State.Attempt++;
                }

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

    /// <summary>Unregisters the retry reminder once nothing is left to do.</summary>
    private async Task StopRetryingAsync()
    {
        if (!NeedsWork && await this.GetReminder(RetryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    private void Adopt(StripeInvoiceSnapshot invoice)
    {
        State.StripeInvoiceId = invoice.Id;
        State.CollectionMethod = invoice.CollectionMethod;
        State.CustomerHasSavedCard = invoice.CustomerHasSavedCard ?? State.CustomerHasSavedCard;
        State.Number = invoice.Number ?? State.Number;
        State.AmountDueCents = invoice.AmountDue;
        State.AmountPaidCents = invoice.AmountPaid;
        State.StripeTotalCents = invoice.Total;
        State.StripeStatus = invoice.Status;
        State.ChargeAttempts = invoice.AttemptCount;
        State.StartingBalanceCents = invoice.StartingBalance;
        State.EndingBalanceCents = invoice.EndingBalance;
        State.HostedInvoiceUrl = invoice.HostedInvoiceUrl ?? State.HostedInvoiceUrl;
    }

    private IReadOnlyList<StripeInvoiceLines.Line> Lines() => StripeInvoiceLines.For(Draft);

    /// <summary>
    /// The deterministic idempotency key of a step's request (<see cref="StripeIdempotencyKeys"/>): the same step,
    /// retry round, attempt and body give the same key; <paramref name="bodyDependsOn"/> are the values the body
    /// is made of that can change between attempts (the customer, settings).
    /// </summary>
    private string Key(string step, params object?[] bodyDependsOn) =>
        StripeIdempotencyKeys.For(InvoiceKey, step, State.RetryRound, State.Attempt, bodyDependsOn.Length == 0 ? null : StripeIdempotencyKeys.Fingerprint(bodyDependsOn));

    /// <summary>The invoice as last read from Stripe.</summary>
    private StripeInvoiceSnapshot Snapshot() => new(
        State.StripeInvoiceId!, State.StripeStatus ?? "open", State.Number, State.StripeTotalCents ?? 0, State.AmountDueCents ?? 0, State.AmountPaidCents ?? 0,
        State.HostedInvoiceUrl, 0, State.CollectionMethod ?? "send_invoice", State.CustomerHasSavedCard,
        StartingBalance: State.StartingBalanceCents, EndingBalance: State.EndingBalanceCents);


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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice {InvoiceKey}: deleted stray Stripe draft {StripeInvoiceId} carrying its key")]
    private static partial void LogStrayDeleted(ILogger logger, string invoiceKey, string stripeInvoiceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invoice {InvoiceKey}: {Count} other finalized Stripe invoice(s) carry its key; left alone, check them in Stripe")]
    private static partial void LogOtherFinalized(ILogger logger, string invoiceKey, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invoice {InvoiceKey}: an unexpected failure interrupted it; the reminder retries it")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string invoiceKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing the taxes of invoice {InvoiceKey} with the provider failed; retrying later")]
    private static partial void LogTaxCommitFailed(ILogger logger, Exception exception, string invoiceKey);
}
