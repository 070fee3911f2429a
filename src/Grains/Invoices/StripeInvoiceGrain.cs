using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TenantBilling.Grains.BillRuns;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Stripe;

namespace TenantBilling.Grains.Invoices;

/// <summary>
/// One invoice in the account's Stripe: it keeps the first draft handed over for its key and takes it through
/// Stripe as <see cref="InvoiceLifecycle"/> says, one request at a time, each with its idempotency key
/// (<see cref="InvoiceKeys"/>), in slots the account's pacer booked for the whole run at once. The record is
/// written at the hand-over, once it is final in Stripe (before it is sent or charged, marking that a send may
/// go out), and when the invoice is done, fails or waits, not after each step: an activation that did not see
/// the steps reads Stripe first, and Stripe's <c>invoice.sent</c> events before sending again (a Stripe invoice
/// does not show whether it was e-mailed). The account's record of invoices in flight
/// (<see cref="IInvoiceRunsGrain"/>) brings back an invoice whose run stopped with its process; webhooks then
/// record payment outcomes (<see cref="InvoiceWebhooks"/>).
/// </summary>
[GrainType("stripe-invoice")]
public sealed partial class StripeInvoiceGrain(
    [PersistentState("invoice", StorageNames.Billing)] IPersistentState<InvoiceState> state,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time,
    TimeProvider systemTime,
    IStripeGateway stripe,
    IOptions<BillingOptions> options,
    ILogger<StripeInvoiceGrain> logger) : Grain, IStripeInvoiceGrain, IRemindable
{
    /// <summary>The retry reminder of earlier versions, which registered one per invoice: honoured, and removed once the invoice is done.</summary>
    private const string RetryReminder = "stripe-retry";

    private static readonly TimeSpan LongestGap = TimeSpan.FromSeconds(2);

    private InvoiceRun run = new();
    private StripeTurns turns = null!;
    private IGrainTimer? runTimer;
    private IGrainTimer? retryTimer;
    private bool running;
    private bool runAgain;
    private bool bookedThisRun;

    /// <summary>The record changed since it was last written.</summary>
    private bool unwritten;

    /// <summary>Loaded with work left: an earlier version may have registered its retry reminder.</summary>
    private bool mayHaveReminder;

    private InvoiceState State => state.State;

    // Bill runs and the transition metric (issue 11): each watched call reports the status it leaves the invoice at.
    private InvoiceStatusReports StatusReports => statusReports ??= new(GrainFactory, ServiceProvider, () => State.Draft is null ? null : InvoiceLifecycle.Summary(State));
    private InvoiceStatusReports? statusReports;

    private string InvoiceKey => this.GetPrimaryKeyString();

    private InvoiceDraft Draft => State.Draft!;

    private IAccountGrain Account => GrainFactory.GetGrain<IAccountGrain>(Draft.AccountId);

    private IStripeCustomerGrain Customer => GrainFactory.GetGrain<IStripeCustomerGrain>(GrainKeys.Tenant(Draft.AccountId, Draft.TenantId));

    private IInvoiceRunsGrain Runs => GrainFactory.GetGrain<IInvoiceRunsGrain>(Draft.AccountId);

    /// <summary>How far apart one invoice's requests are booked: a little more than a request takes.</summary>
    private TimeSpan Gap
    {
        get
        {
            var gap = TimeSpan.FromTicks(stripe.TypicalLatency.Ticks * 3 / 2) + TimeSpan.FromMilliseconds(5);
            return gap < LongestGap ? gap : LongestGap;
        }
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        run = InvoiceRun.Resumed(State);
        mayHaveReminder = InvoiceLifecycle.HasWork(State);
        turns = new StripeTurns(GrainFactory, systemTime);
        return Task.CompletedTask;
    }

    public async Task<InvoiceSummary> SubmitAsync(InvoiceDraft draft)
    {
        await using var reported = StatusReports.Start(); // bill runs (issue 11)
        if (InvoiceLifecycle.Accept(State, draft, InvoiceKey, time.GetUtcNow()))
        {
            run = InvoiceRun.HandedOver();
            // The draft and its entry among the invoices in flight are stored together, before the tenant counts it handed over.
            await Task.WhenAll(WriteAsync(), InvoiceLifecycle.HasWork(State) ? Runs.StartedAsync(InvoiceKey) : Task.CompletedTask);
        }
        else if (InvoiceLifecycle.HasWork(State))
        {
            // A repeated hand-over: the first may have stored the draft and failed before its entry.
            await Runs.StartedAsync(InvoiceKey);
        }

        if (InvoiceLifecycle.HasWork(State))
        {
            RunSoon();
        }

        return InvoiceLifecycle.Summary(State);
    }

    public async Task<InvoiceSummary?> GetSummaryAsync()
    {
        await RefreshIfIdleAsync();
        return State.Draft is null ? null : InvoiceLifecycle.Summary(State);
    }

    /// <summary>
    /// An activation with work left that is not working on it reads its record again: after a silo was killed and
    /// restarted on its address, a second activation of the same invoice can live on for minutes, one doing the work
    /// and writing, the other idle on the record it loaded. Only done while nothing here is unwritten, so the record
    /// read is this activation's own last write or a later one.
    /// </summary>
    private async Task RefreshIfIdleAsync()
    {
        if (InvoiceLifecycle.HasWork(State) && !running && retryTimer is null && !unwritten)
        {
            var etag = state.Etag;
            await state.ReadStateAsync();
            if (state.Etag != etag)
            {
                run = InvoiceRun.Resumed(State);
            }
        }
    }

    public Task<InvoiceDraft?> GetDraftAsync() => Task.FromResult(State.Draft);

    public Task ResumeAsync()
    {
        if (InvoiceLifecycle.HasWork(State))
        {
            RunSoon();
        }

        return Task.CompletedTask;
    }

    public async Task<bool> ContinueAsync()
    {
        await RefreshIfIdleAsync();
        if (!InvoiceLifecycle.HasWork(State))
        {
            return true;
        }

        LogPinged(logger, InvoiceKey, running, retryTimer is not null);
        if (!running && retryTimer is null)
        {
            RunSoon();
        }

        return false;
    }

    public async Task<InvoiceSummary> RetryAsync()
    {
        await using var reported = StatusReports.Start(); // bill runs (issue 11)
        InvoiceLifecycle.Retry(State, run, InvoiceKey, time.GetUtcNow());
        await Task.WhenAll(WriteAsync(), Runs.StartedAsync(InvoiceKey));
        RunSoon();
        return InvoiceLifecycle.Summary(State);
    }

    public async Task<bool> ApplyStripeEventAsync(StripeInvoiceEvent stripeEvent)
    {
        await using var reported = StatusReports.Start(); // bill runs (issue 11)
        var applied = InvoiceWebhooks.Apply(State, stripeEvent, time.GetUtcNow());
        if (!applied.Applied)
        {
            return false;
        }

        if (applied.VoidTaxes)
        {
            await VoidTaxesAsync();
        }

        await WriteAsync();
        return true;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != RetryReminder)
        {
            return;
        }

        if (InvoiceLifecycle.HasWork(State))
        {
            RunSoon();
        }
        else if (await this.GetReminder(RetryReminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    /// <summary>Starts a run in a moment (after the current call has answered), unless one is under way; then it runs once more after it.</summary>
    private void RunSoon()
    {
        if (running)
        {
            runAgain = true;
            return;
        }

        running = true;
        retryTimer?.Dispose();
        retryTimer = null;
        runTimer?.Dispose();
        runTimer = this.RegisterGrainTimer(
            async _ =>
            {
                var dropped = false;
                try
                {
                    await RunAsync();
                }
                catch (Exception exception)
                {
                    // Not a grain call, so the call filter can't drop the activation: do it here (the record of invoices in flight brings it back).
                    LogRunFailed(logger, exception, InvoiceKey);
                    dropped = true;
                    Hosting.DropActivationOnFailure.Drop(GrainContext, exception);
                }
                finally
                {
                    running = false;
                    runTimer?.Dispose();
                    runTimer = null;
                    if (runAgain && !dropped)
                    {
                        runAgain = false;
                        if (InvoiceLifecycle.HasWork(State) && retryTimer is null)
                        {
                            RunSoon();
                        }
                    }
                }
            },
            new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
    }

    /// <summary>Does what <see cref="InvoiceLifecycle.Next"/> says until it is done, held, or waiting to try again.</summary>
    private async Task RunAsync()
    {
        await using var reported = StatusReports.Start(); // bill runs (issue 11)
        bookedThisRun = false;
        var failedStep = State.Step;
        var quickFailures = 0;
        var rateLimitWaits = 0;
        while (true)
        {
            StripeAccess? access = null;
            if (InvoiceLifecycle.InStripeWork(State) && (access = await ConnectedAccessAsync()) is null)
            {
                return;
            }

            var action = InvoiceLifecycle.Next(State, run, access?.StripeIdentity);
            LogNextAction(logger, InvoiceKey, action, State.Step, State.Status);
            if (action == InvoiceAction.Done)
            {
                await FinishAsync();
                return;
            }

            try
            {
                var goOn = await PerformAsync(action, access);
                Changed();
                if (!goOn)
                {
                    return;
                }
            }
            catch (StripeCallException failure)
            {
                Changed();
                if (State.Step != failedStep)
                {
                    (failedStep, quickFailures, rateLimitWaits) = (State.Step, 0, 0);
                }

                LogStripeFailure(logger, InvoiceKey, State.Step, failure.Kind, failure.Message);
                if (failure.Kind == StripeFailureKind.CustomerMissing && State.CustomerId is { } customerId)
                {
                    await Customer.ForgetAsync(customerId);
                }

                switch (InvoiceLifecycle.Failed(State, run, failure.Kind, failure.Message, time.GetUtcNow()))
                {
                    case FailureOutcome.Held:
                        await HoldAsync();
                        return;
                    case FailureOutcome.ReadBack:
                        continue;
                    case FailureOutcome.Settled:
                        // The ledger and the taxes may still be left (a declined charge); the record is written when done.
                        turns.ReleaseAll();
                        continue;
                    default:
                        if (RetryBackoff.WaitedOut(failure.Kind) && ++rateLimitWaits < RetryBackoff.RateLimitWaits)
                        {
                            var wait = RetryBackoff.RateLimitDelay(rateLimitWaits, options.Value.QuickRetryDelay);
                            InvoiceLifecycle.RetryAt(State, time.GetUtcNow() + wait);
                            await Task.Delay(wait);
                            continue;
                        }

                        if (++quickFailures < RetryBackoff.QuickAttempts)
                        {
                            var delay = RetryBackoff.Delay(quickFailures, options.Value.QuickRetryDelay);
                            InvoiceLifecycle.RetryAt(State, time.GetUtcNow() + delay);
                            await Task.Delay(delay);
                            continue;
                        }

                        // Stripe still refuses: the work is tried again at the retry interval.
                        await RetryLaterAsync(show: true);
                        return;
                }
            }
        }
    }

    /// <summary>The one request or call <paramref name="action"/> names, and its transition; false when the run waits to be tried again.</summary>
    private async Task<bool> PerformAsync(InvoiceAction action, StripeAccess? access)
    {
        var now = time.GetUtcNow();
        switch (action)
        {
            case InvoiceAction.StartOver:
                InvoiceLifecycle.StartOver(State, run);
                turns.ReleaseAll();
                bookedThisRun = false;
                await WriteAsync();
                return true;
            case InvoiceAction.FailInOtherStripe:
                throw new StripeCallException(StripeFailureKind.Permanent, InvoiceLifecycle.FinalInOtherStripe);
            case InvoiceAction.ReadInvoice:
                await TurnAsync(access!, StripeEndpoints.ReadInvoice);
                var read = await stripe.GetInvoiceAsync(access!, State.StripeInvoiceId!, readCustomer: Draft.AutoCharge && !State.CollectionChecked, CancellationToken.None);
                InvoiceLifecycle.Reconciled(State, run, read, access!.StripeIdentity, now);
                return true;
            case InvoiceAction.ListInvoices:
                InvoiceLifecycle.Listed(State, run, await FindOursAsync(access!), access!.StripeIdentity, now);
                return true;
            case InvoiceAction.EnsureCustomer:
                await EnsureCustomerAsync(access!);
                return true;
            case InvoiceAction.CreateInvoice:
                await CreateAsync(access!);
                return true;
            case InvoiceAction.SwitchToEmail:
                await TurnAsync(access!, StripeEndpoints.UpdateInvoice);
                InvoiceLifecycle.SwitchedToEmail(State, await stripe.SwitchToSendInvoiceAsync(
                    access!, InvoiceKeys.SwitchToEmail(InvoiceKey, State, access!.Settings.DaysUntilDue), State.StripeInvoiceId!, CancellationToken.None));
                return true;
            case InvoiceAction.AddLines:
                await TurnAsync(access!, StripeEndpoints.AddLines);
                InvoiceLifecycle.LinesAdded(State, await stripe.AddLinesAsync(
                    access!, InvoiceKeys.AddLines(InvoiceKey, State), State.StripeInvoiceId!, StripeInvoiceLines.For(Draft), CancellationToken.None));
                return true;
            case InvoiceAction.DiscardDraft:
                await TurnAsync(access!, StripeEndpoints.DeleteInvoice);
                var stripeTotal = State.StripeTotalCents!.Value;
                await stripe.DeleteDraftAsync(access!, State.StripeInvoiceId!, CancellationToken.None);
                throw new StripeCallException(StripeFailureKind.Permanent, InvoiceLifecycle.DraftDiscarded(State, stripeTotal));
            case InvoiceAction.Finalize:
                await TurnAsync(access!, StripeEndpoints.Finalize);
                InvoiceLifecycle.Finalized(State, await stripe.FinalizeAsync(access!, InvoiceKeys.Finalize(InvoiceKey, State), State.StripeInvoiceId!, CancellationToken.None), now);
                return true;
            case InvoiceAction.FindSent:
                InvoiceLifecycle.SentLookedUp(State, run, await FindSentAsync(access!));
                return true;
            case InvoiceAction.Send:
                await SendAsync(access!);
                return true;
            case InvoiceAction.Pay:
                await WriteIfChangedAsync();
                await TurnAsync(access!, StripeEndpoints.Pay);
                InvoiceLifecycle.Delivered(State, await stripe.PayAsync(access!, InvoiceKeys.Pay(InvoiceKey, State), State.StripeInvoiceId!, CancellationToken.None));
                return true;
            case InvoiceAction.RecordInLedger:
                return await RecordInLedgerAsync();
            case InvoiceAction.CommitTaxes:
                return await CommitTaxesAsync();
            default:
                throw new InvalidOperationException($"No action {action}.");
        }
    }

    /// <summary>
    /// Emails the invoice. In its slot, the record is written saying it is final and that a send may have gone out,
    /// then the request goes: whoever goes on after a lost answer (this activation or another) looks for the send in
    /// Stripe's events first, and a second activation sending at the same time loses the write on the record's
    /// version instead of sending too (see <see cref="InvoiceLifecycle.SendSending"/>).
    /// </summary>
    private async Task SendAsync(StripeAccess access)
    {
        await TurnAsync(access, StripeEndpoints.Send);
        InvoiceLifecycle.SendSending(State, time.GetUtcNow());
        Changed();
        await WriteIfChangedAsync();
        StripeInvoiceSnapshot sent;
        try
        {
            sent = await stripe.SendAsync(access, InvoiceKeys.Send(InvoiceKey, State), State.StripeInvoiceId!, CancellationToken.None);
        }
        catch (StripeCallException refused)
        {
            InvoiceLifecycle.SendFailed(run, refused.Kind);
            throw;
        }

        InvoiceLifecycle.Delivered(State, sent);
    }

    /// <summary>
    /// Whether Stripe recorded an <c>invoice.sent</c> event for our invoice since Stripe finalized it, paging
    /// through the account's events (one paced request a page).
    /// </summary>
    private async Task<bool> FindSentAsync(StripeAccess access)
    {
        string? cursor = null;
        do
        {
            await TurnAsync(access, StripeEndpoints.ListEvents);
            var page = await stripe.FindSentEventAsync(access, State.StripeInvoiceId!, State.StripeFinalizedAt, cursor, CancellationToken.None);
            if (page.Found)
            {
                LogSendFound(logger, InvoiceKey, State.StripeInvoiceId!);
                return true;
            }

            cursor = page.NextCursor;
        }
        while (cursor is not null);

        return false;
    }

    /// <summary>
    /// The customer, ready to bill: as it is, or created or updated in this invoice's slots, one request each
    /// (waited for here, not inside the customer's call: a slot can be further away than a grain call may take).
    /// </summary>
    private async Task EnsureCustomerAsync(StripeAccess access)
    {
        var customer = await Customer.ReadyAsync(access.StripeIdentity);
        if (customer is null)
        {
            await BookRunAsync(access, customerCall: true);
        }

        while (customer is null)
        {
            await StripePacing.WaitAsync(await turns.TakeAsync(access, StripeEndpoints.CreateCustomer));
            customer = await Customer.StepInTurnAsync(access);
            if (customer is { UsedTurn: false })
            {
                turns.Untake();
            }
        }

        InvoiceLifecycle.CustomerReady(State, run, customer.Id, customer.HasSavedCard, customer.Created);
    }

    private async Task CreateAsync(StripeAccess access)
    {
        var (collectionMethod, readCustomer) = InvoiceLifecycle.CollectionAtCreate(State, run);
        await TurnAsync(access, StripeEndpoints.CreateInvoice);
        InvoiceLifecycle.CreateSending(State, time.GetUtcNow());
        StripeInvoiceSnapshot created;
        try
        {
            created = await stripe.CreateInvoiceAsync(
                access, InvoiceKeys.Create(InvoiceKey, State, collectionMethod, access.Settings.DaysUntilDue, readCustomer),
                State.CustomerId!, InvoiceKey, Draft.Description, collectionMethod, readCustomer, CancellationToken.None);
        }
        catch (StripeCallException refused) when (refused.Kind != StripeFailureKind.RateLimited)
        {
            // Anything but a 429 (which did nothing) may have made the draft: the customer's invoices are listed before the next create.
            run.ListedSinceLastCreate = false;
            throw;
        }

        InvoiceLifecycle.Created(State, created, access.StripeIdentity);
    }

    /// <summary>
    /// The customer's invoices carrying our key, listed (strongly consistent; Stripe's search can lag a
    /// minute): ours is kept (the recorded one, else the one furthest along) and every other draft with our
    /// key is deleted, so exactly one Stripe invoice per invoice key remains.
    /// </summary>
    private async Task<StripeInvoiceSnapshot?> FindOursAsync(StripeAccess access)
    {
        if (State.CustomerId is not { } customerId)
        {
            return null;
        }

        await TurnAsync(access, StripeEndpoints.ListInvoices);
        var carrying = await stripe.ListInvoicesAsync(access, customerId, InvoiceKey, CancellationToken.None);
        var choice = InvoiceReconciliation.Choose(State.StripeInvoiceId, carrying);
        foreach (var stray in choice.StrayDrafts)
        {
            await TurnAsync(access, StripeEndpoints.DeleteInvoice);
            await stripe.DeleteDraftAsync(access, stray.Id, CancellationToken.None);
            LogStrayDeleted(logger, InvoiceKey, stray.Id);
        }

        if (choice.OtherFinalized.Count > 0)
        {
            LogOtherFinalized(logger, InvoiceKey, choice.OtherFinalized.Count);
        }

        return choice.Keep;
    }

    /// <summary>The invoice is final in Stripe: the phantom fee and its taxes go into the ledger of the month it was finalized.</summary>
    private async Task<bool> RecordInLedgerAsync()
    {
        try
        {
            var finalizedAt = State.FinalizedAt ?? time.GetUtcNow();
            var ledger = GrainFactory.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(Draft.AccountId, InvoiceLifecycle.LedgerMonth(State, finalizedAt)));
            if (Domain.Corrections.MonthRevisions.CostsFee(Draft))
            {
                await ledger.RecordPhantomFeeAsync(new PhantomFee(
                    InvoiceKey, Draft.TenantId, PhantomFees.Fee, Draft.UsageTotal, finalizedAt, State.StripeInvoiceId!, State.Number));
            }

            if (Draft.Taxes.Count > 0)
            {
                await ledger.RecordTaxesAsync(new TaxReportEntry(
                    InvoiceKey, Draft.TenantId, State.Number, State.StripeInvoiceId!, finalizedAt, Draft.Taxes, Voided: State.Status == InvoiceStatus.Void));
            }

            InvoiceLifecycle.LedgerRecorded(State, finalizedAt);
            return true;
        }
        catch (Exception exception) when (exception is not StripeCallException)
        {
            LogLedgerFailed(logger, exception, InvoiceKey);
            await RetryLaterAsync(show: false);
            return false;
        }
    }

    /// <summary>Records the sent invoice's taxes with the provider; false when it failed (tried again at the retry interval).</summary>
    private async Task<bool> CommitTaxesAsync()
    {
        try
        {
            await GrainFactory.GetGrain<ITaxRatingGrain>(0).CommitAsync(InvoiceTaxes.RequestFor(Draft, Draft.TaxJurisdiction!, Draft.TaxExemptions ?? TaxExemptions.None));
            InvoiceLifecycle.TaxesCommitted(State);
            return true;
        }
        catch (Exception exception) when (exception is not StripeCallException)
        {
            // The invoice is sent and its taxes are in our ledger; only the provider's own record waits.
            LogTaxCommitFailed(logger, exception, InvoiceKey);
            await RetryLaterAsync(show: false);
            return false;
        }
    }

    private async Task VoidTaxesAsync()
    {
        if (State.LedgerRecorded && Draft.Taxes.Count > 0)
        {
            await GrainFactory.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(Draft.AccountId, InvoiceLifecycle.LedgerMonth(State, time.GetUtcNow()))).VoidTaxesAsync(InvoiceKey);
            await GrainFactory.GetGrain<ITaxRatingGrain>(0).VoidAsync(InvoiceKey);
        }
    }

    /// <summary>The account's Stripe access, or null after holding the invoice because Stripe is disconnected; read before every request, so a disconnect stops the very next one.</summary>
    private async Task<StripeAccess?> ConnectedAccessAsync()
    {
        var access = await Account.GetStripeAccessAsync();
        if (access is { Connected: true })
        {
            if (InvoiceLifecycle.Released(State, time.GetUtcNow()))
            {
                Changed();
            }

            return access;
        }

        await HoldAsync();
        return null;
    }

    private async Task HoldAsync()
    {
        turns.ReleaseAll();
        if (InvoiceLifecycle.Held(State, time.GetUtcNow()))
        {
            await WriteAsync();
            await Account.HoldInvoiceAsync(InvoiceKey);
        }
    }

    /// <summary>Waits for the next slot of this run, booking the whole run first.</summary>
    private async Task TurnAsync(StripeAccess access, string endpoint)
    {
        await BookRunAsync(access, customerCall: false);
        await StripePacing.WaitAsync(await turns.TakeAsync(access, endpoint));
    }

    /// <summary>Books, once per run, one slot for each request the rest of the run needs when nothing fails.</summary>
    private async Task BookRunAsync(StripeAccess access, bool customerCall)
    {
        if (!bookedThisRun)
        {
            bookedThisRun = true;
            await turns.BookAsync(access, InvoiceLifecycle.PlannedRequests(State, run, customerCall), Gap);
        }
    }

    /// <summary>Stripe keeps refusing, or the ledger or the tax provider failed: tried again at the retry interval (while this activation lives; else the record of invoices in flight pings it).</summary>
    private async Task RetryLaterAsync(bool show)
    {
        turns.ReleaseAll();
        if (show)
        {
            InvoiceLifecycle.RetryAt(State, time.GetUtcNow() + options.Value.RetryInterval);
        }

        retryTimer?.Dispose();
        retryTimer = this.RegisterGrainTimer(
            _ =>
            {
                retryTimer?.Dispose();
                retryTimer = null;
                RunSoon();
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions(options.Value.RetryInterval, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        await WriteAsync();
    }

    /// <summary>Nothing is left: the record is written once, and the invoice leaves the invoices in flight.</summary>
    private async Task FinishAsync()
    {
        turns.ReleaseAll();
        await WriteIfChangedAsync();

        if (mayHaveReminder)
        {
            mayHaveReminder = false;
            if (await this.GetReminder(RetryReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }

        if (State.Draft is not null)
        {
            await Runs.FinishedAsync(InvoiceKey);
        }
    }

    private void Changed()
    {
        unwritten = true;
        State.UpdatedAt = time.GetUtcNow();
    }

    private Task WriteIfChangedAsync() => unwritten ? WriteAsync() : Task.CompletedTask;

    private async Task WriteAsync()
    {
        InvoiceLifecycle.BeforeWrite(State);
        await state.WriteStateAsync();
        unwritten = false;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Invoice {InvoiceKey}: pinged with work left (running {Running}, waiting to retry {Waiting})")]
    private static partial void LogPinged(ILogger logger, string invoiceKey, bool running, bool waiting);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Invoice {InvoiceKey}: {Action} next, at step {Step}, status {Status}")]
    private static partial void LogNextAction(ILogger logger, string invoiceKey, InvoiceAction action, InvoiceStep step, InvoiceStatus status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe refused invoice {InvoiceKey} at step {Step} ({Kind}): {StripeMessage}")]
    private static partial void LogStripeFailure(ILogger logger, string invoiceKey, InvoiceStep step, StripeFailureKind kind, string stripeMessage);

    [LoggerMessage(Level = LogLevel.Information, Message = "Invoice {InvoiceKey}: Stripe's events show {StripeInvoiceId} was sent though the answer was lost; not sent again")]
    private static partial void LogSendFound(ILogger logger, string invoiceKey, string stripeInvoiceId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoice {InvoiceKey}: deleted stray Stripe draft {StripeInvoiceId} carrying its key")]
    private static partial void LogStrayDeleted(ILogger logger, string invoiceKey, string stripeInvoiceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invoice {InvoiceKey}: {Count} other finalized Stripe invoice(s) carry its key; left alone, check them in Stripe")]
    private static partial void LogOtherFinalized(ILogger logger, string invoiceKey, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Invoice {InvoiceKey}: an unexpected failure interrupted it; it goes on from its record and Stripe")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string invoiceKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the fee and taxes of invoice {InvoiceKey} in the ledger failed; retrying later")]
    private static partial void LogLedgerFailed(ILogger logger, Exception exception, string invoiceKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Committing the taxes of invoice {InvoiceKey} with the provider failed; retrying later")]
    private static partial void LogTaxCommitFailed(ILogger logger, Exception exception, string invoiceKey);
}
