using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.Storage;
using TenantBilling.Grains.Domain.Addresses;
using TenantBilling.Grains.Domain.Corrections;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.OneTimeInvoices;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Tenants;

/// <summary>
/// A tenant and its monthly schedule, kept in its <see cref="PeriodBook"/>. The book's earliest pending invoice
/// has an account billing alarm (<see cref="IBillingAlarmGrain"/>) set for it before the state that schedules it
/// is written; when the alarm goes off, or at once when an invoice is due already, each due invoice is composed
/// and handed to its <see cref="IStripeInvoiceGrain"/>, and the hand-over is recorded in one state write. The
/// invoice keeps the first draft it gets for its key, so a hand-over repeated after a failure or a stop (the
/// record not yet written) changes nothing; a hand-over whose outcome is unknown keeps its draft, so its retry
/// hands over the same one, and sets the alarm that retries it.
/// </summary>
[GrainType("tenant")]
public sealed partial class TenantGrain(
    [PersistentState(TenantGrain.StateName, StorageNames.Billing)] IPersistentState<TenantState> state,
    [FromKeyedServices(StorageNames.Billing)] IGrainStorage storage,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time,
    AddressValidator addresses,
    IOptions<BillingOptions> options,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain, IRemindable
{
    /// <summary>The reminder of the tenant's own that earlier versions kept registered; only unregistered now.</summary>
    private const string LegacyInvoiceReminder = "invoice-due";

    private const string StateName = "tenant";

    private TenantState State => state.State;

    private PeriodBook Book => new(State);

    private string AccountId => GrainKeys.ParseTenant(this.GetPrimaryKeyString()).AccountId;

    private string TenantId => GrainKeys.ParseTenant(this.GetPrimaryKeyString()).TenantId;

    public async Task<TenantSaved> SaveDetailsAsync(TenantDetails details)
    {
        var created = !State.Exists;
        var now = time.GetUtcNow();
        if (created)
        {
            // In the account's index before it exists: the account's billing alarms wake the tenants listed there.
            await GrainFactory.GetGrain<IAccountGrain>(AccountId).AddTenantAsync(TenantId);
            State.CreatedAt = now;
            State.ListsItsOwnInvoices = true;
        }

        var previous = State.Details;
        if (previous is not null && previous.BillingEmail != details.BillingEmail && await CustomerMayHaveBeenCreatedAsync(now))
        {
            // A create that may have been sent carried the email stored now, where the customer is looked for: the customer's record keeps it first.
            await Customer.KeepCreateEmailAsync(previous);
        }

        if (previous is not null && previous.Address != details.Address)
        {
            State.Address = AddressStatus.NotValidated;
        }

        State.Details = details;
        State.UpdatedAt = now;
        await state.WriteStateAsync();
        await SyncCustomerAsync();
        return new TenantSaved(await ViewAsync(), created);
    }

    public async Task<TenantView?> GetAsync() => State.Exists ? await ViewAsync() : null;

    public async Task<BillingProfile> SetBillingProfileAsync(BillingProfileInput input)
    {
        EnsureExists();
        if (!State.Address.Validated)
        {
            throw BillingProblemException.Conflict("The tenant's address must be validated before a billing profile can be set (POST …/address/validate).");
        }

        var now = time.GetUtcNow();
        var previous = State.Profile;
        State.Profile = new BillingProfile(
            input.AutoCharge, input.IncludeTaxes, input.BillingDay, input.Prices, input.RecurringItems,
            previous?.FirstPeriod ?? BillingPeriod.Of(now).ToString(), previous?.CreatedAt ?? now, now);
        Book.Reschedule(State.Profile, now);
        State.UpdatedAt = now;
        await SetAlarmAsync(now);
        await state.WriteStateAsync();
        HandOverSoonIfDue(now);
        return State.Profile;
    }

    public async Task DeleteBillingProfileAsync()
    {
        EnsureExists();
        if (State.Profile is null)
        {
            throw BillingProblemException.NotFound("Billing profile");
        }

        // Cancels what is not handed over; a due month whose hand-over was not recorded is looked up first.
        var now = time.GetUtcNow();
        await RecordUnrecordedHandOversAsync(now);
        State.Profile = null;
        Book.Reschedule(null, now);
        State.UpdatedAt = now;
        await state.WriteStateAsync();
    }

    public async Task<TaxExemptions> SetTaxExemptionsAsync(TaxExemptions exemptions)
    {
        EnsureExists();
        State.Exemptions = exemptions;
        State.UpdatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        return exemptions;
    }

    public async Task<StatementAccepted> AcceptStatementAsync(string period, Statement statement)
    {
        EnsureExists();
        var now = time.GetUtcNow();
        InvoiceDraft? invoiced = null;
        InvoiceStatus? status = null;
        if (Book.NeedsInvoiceToAccept(period, statement, now))
        {
            var key = Book.InvoiceKey(AccountId, TenantId, period);
            invoiced = await Invoice(key).GetDraftAsync();
            status = invoiced is null ? null : (await Invoice(key).GetSummaryAsync())?.Status;
            if (status is { } open && PeriodBook.VoidsFirst(open) && invoiced!.SourceStatement is { } billed && !billed.HasSameContent(statement))
            {
                // Another statement for a month open in Stripe: voided first (exactly once; a 503 leaves the statement to be sent again).
                status = (await GrainFactory.GetGrain<IInvoiceCorrectionGrain>(key).VoidAsync()).Status;
            }
        }

        var decision = Book.Accept(period, statement, State.Profile, now, invoiced, status);
        if (decision.Changed)
        {
            await SetAlarmAsync(now);
            await state.WriteStateAsync();
            HandOverSoonIfDue(now);
        }

        return decision.Answer;
    }

    public async Task<InvoicePreview> PreviewInvoiceAsync(string period)
    {
        EnsureExists();
        var now = time.GetUtcNow();
        var key = Book.InvoiceKey(AccountId, TenantId, period);
        var handedOver = Book.Find(period) is { } entry && PeriodBook.MayHaveBeenHandedOver(entry, now)
            ? await Invoice(key).GetDraftAsync()
            : null;
        switch (Book.Preview(period, State.Profile, now, handedOver))
        {
            case PreviewPlan.FromInvoice invoiced:
                var draft = handedOver
                    ?? await Invoice(key).GetDraftAsync()
                    ?? throw BillingProblemException.NotFound($"A statement for {period}");
                return new InvoicePreview(draft, null, invoiced.Reason);
            case PreviewPlan.Kept kept:
                return new InvoicePreview(kept.Draft, kept.ScheduledFor, null);
            case PreviewPlan.Compose compose:
                try
                {
                    return new InvoicePreview(await ComposeAsync(compose.Entry, State.Profile!, compose.InvoiceDate), compose.ScheduledFor, compose.NotScheduled);
                }
                catch (TaxesUnavailableException waiting)
                {
                    throw waiting.AsProblem(string.Empty);
                }

            default:
                throw new InvalidOperationException("Unknown preview plan.");
        }
    }

    public async Task<IReadOnlyList<InvoiceSummary>> ListInvoicesAsync()
    {
        EnsureExists();
        var now = time.GetUtcNow();
        var book = Book;
        var revisions = State.InvoicedPeriods.Concat(book.MayHaveBeenHandedOver(now).Select(e => e.Period))
            .SelectMany(period => book.InvoiceKeys(AccountId, TenantId, period).Select(k => (k.Key, k.Revision, Current: k.Revision == book.Revision(period))))
            .DistinctBy(k => k.Key, StringComparer.Ordinal)
            .ToDictionary(k => k.Key, k => (k.Revision, k.Current), StringComparer.Ordinal);
        var keys = revisions.Keys
            .Concat(State.OneTimeRequests.Select(requestId => GrainKeys.OneTimeInvoice(AccountId, TenantId, requestId)))
            .ToList();
        if (!State.ListsItsOwnInvoices)
        {
            for (var year = State.CreatedAt.Year; year <= now.Year + 1; year++)
            {
                keys.AddRange(await GrainFactory.GetGrain<IInvoiceHistoryGrain>(GrainKeys.InvoiceHistory(AccountId, TenantId, year)).ListAsync());
            }
        }

        var invoices = (await Task.WhenAll(keys.Distinct(StringComparer.Ordinal).Select(key => Invoice(key).GetSummaryAsync()))).OfType<InvoiceSummary>()
            .Select(i => revisions.TryGetValue(i.InvoiceKey, out var r) ? i with { Revision = r.Revision, Current = r.Current } : i)
            .ToList();
        invoices.AddRange(Book.PendingInvoices(AccountId, TenantId).Where(p => invoices.TrueForAll(i => i.InvoiceKey != p.InvoiceKey)));
        return invoices
            .OrderByDescending(i => i.DueAt ?? i.UpdatedAt)
            .ToList();
    }

    public async Task<InvoiceSummary> SendOneTimeInvoiceAsync(string requestId, IReadOnlyList<OneTimeItem> items)
    {
        EnsureExists();
        var invoice = Invoice(GrainKeys.OneTimeInvoice(AccountId, TenantId, requestId));
        if (await invoice.GetDraftAsync() is { } existing)
        {
            OneTimeInvoiceRules.EnsureSameItems(requestId, existing, items);
            if (RecordOneTimeRequest(requestId))
            {
                await state.WriteStateAsync();
            }

            return (await invoice.GetSummaryAsync())!;
        }

        var profile = OneTimeInvoiceRules.RequireProfile(State.Profile);
        OneTimeInvoiceRules.EnsurePriced(profile, items);
        var draft = InvoiceComposer.ComposeOneTime(AccountId, TenantId, requestId, items, profile, State.LatestUsageTotal, time.GetUtcNow());
        try
        {
            draft = await WithTaxesAsync(draft);
        }
        catch (TaxesUnavailableException waiting)
        {
            throw waiting.AsProblem(" Nothing was sent.");
        }

        StripeAmountLimits.EnsureChargeable(draft);

        // Listed before it is handed over: a request cut off after the hand-over is still in the list (and a repeat
        // of it answers the invoice); one cut off before lists nothing until it is repeated.
        var recorded = await StartCustomerAsync() | RecordOneTimeRequest(requestId);
        if (recorded)
        {
            await state.WriteStateAsync();
        }

        return await invoice.SubmitAsync(draft);
    }

    public async Task WakeAsync()
    {
        var now = time.GetUtcNow();
        if (State.Exists && Book.DueAt(now).Count > 0)
        {
            await SetAlarmAsync(now);
            HandOverSoon();
        }
    }

    public Task HandOverDueAsync() => HandOverDueInvoicesAsync();

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != LegacyInvoiceReminder)
        {
            return;
        }

        await HandOverDueInvoicesAsync();

        // A reminder of an earlier version: the account's alarm takes over its pending invoices, then it goes.
        if (await this.GetReminder(LegacyInvoiceReminder) is { } legacy)
        {
            await SetAlarmAsync(time.GetUtcNow());
            await this.UnregisterReminder(legacy);
        }

        if (State.ReminderDueAt is not null)
        {
            State.ReminderDueAt = null;
            await state.WriteStateAsync();
        }
    }

    /// <summary>
    /// Hands over each due invoice, composing it (with its taxes) unless a draft is kept from an attempt whose
    /// outcome is unknown, and records what happened in one state write. An invoice that waits for its taxes or
    /// whose hand-over failed gets the alarm that retries it, set before that write.
    /// </summary>
    private async Task HandOverDueInvoicesAsync()
    {
        var now = time.GetUtcNow();
        var due = Book.DueAt(now);
        if (due.Count == 0)
        {
            return;
        }

        var changed = false;
        var retry = false;
        foreach (var entry in due)
        {
            var draft = entry.Draft;
            if (draft is null)
            {
                await ReportComposingAsync(entry);
                try
                {
                    draft = await ComposeAsync(entry, State.Profile!, entry.DueAt!.Value);
                }
                catch (TaxesUnavailableException waiting)
                {
                    LogWaitingForTaxes(logger, this.GetPrimaryKeyString(), entry.Period, waiting.Message);
                    await ReportWaitingForTaxesAsync(entry, waiting.Message);
                    changed |= PeriodBook.Waiting(entry, waiting.Message);
                    retry = true;
                    continue;
                }
            }

            try
            {
                changed |= await StartCustomerAsync();
                await Invoice(draft.InvoiceKey).SubmitAsync(draft);
            }
            catch (Exception exception) when (exception is not BillingProblemException)
            {
                // A timeout is not proof the hand-over did not happen: the draft is kept, and the retry hands the
                // same one over again, which the receiver ignores if it has it.
                LogHandOverFailed(logger, exception, this.GetPrimaryKeyString(), entry.Period, options.Value.RetryInterval);
                if (entry.Draft is null)
                {
                    PeriodBook.Composed(entry, draft);
                    changed = true;
                }

                retry = true;
                continue;
            }

            Book.HandedOver(entry, now);
            changed = true;
        }

        changed |= Book.Trim();
        if (retry)
        {
            await Alarm(BillingAlarms.Retry(now, options.Value.RetryInterval)).SetAsync(TenantId);
        }
        else
        {
            await SetAlarmAsync(now);
        }

        if (changed)
        {
            await state.WriteStateAsync();
        }
    }

    /// <summary>
    /// Sets the account's alarm for the earliest pending invoice: its billing day, or the retry alarm when it is
    /// due already (it is handed over at once as well). Called before the state that schedules it is written, so
    /// a stored schedule always has its alarm; setting an alarm already set costs no write.
    /// </summary>
    private async Task SetAlarmAsync(DateTimeOffset now)
    {
        if (Book.NextDueAt is { } next)
        {
            await Alarm(BillingAlarms.For(next, now, options.Value.RetryInterval)).SetAsync(TenantId);
        }
    }

    private void HandOverSoonIfDue(DateTimeOffset now)
    {
        if (Book.DueAt(now).Count > 0)
        {
            HandOverSoon();
        }
    }

    /// <summary>Hands the due invoices over in a moment, after the current call has answered; the alarm retries it if this fails.</summary>
    private void HandOverSoon() =>
        this.RegisterGrainTimer(
            async _ =>
            {
                try
                {
                    await HandOverDueInvoicesAsync();
                }
                catch (Exception exception)
                {
                    // Not a grain call, so the call filter can't drop the activation: do it here.
                    LogHandOverFailed(logger, exception, this.GetPrimaryKeyString(), "due", options.Value.RetryInterval);
                    Hosting.DropActivationOnFailure.Drop(GrainContext, exception);
                }
            },
            new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));

    /// <summary>Records as handed over each due month whose invoice has its draft (a hand-over that happened but was not recorded).</summary>
    private async Task RecordUnrecordedHandOversAsync(DateTimeOffset now)
    {
        foreach (var entry in Book.MayHaveBeenHandedOver(now))
        {
            if (await Invoice(GrainKeys.MonthlyInvoice(AccountId, TenantId, entry.Period, entry.Revision)).GetDraftAsync() is not null)
            {
                Book.HandedOver(entry, now);
            }
        }
    }

    /// <summary>The entry's invoice with its taxes; a revision names the voided invoice it corrects (<see cref="MonthRevisions"/>).</summary>
    private async Task<InvoiceDraft> ComposeAsync(PeriodEntry entry, BillingProfile profile, DateTimeOffset invoiceDate)
    {
        var draft = InvoiceComposer.ComposeMonthly(AccountId, TenantId, BillingPeriod.Parse(entry.Period), entry.Statement, profile, invoiceDate);
        if (entry.Revision > 0)
        {
            var previous = Invoice(GrainKeys.MonthlyInvoice(AccountId, TenantId, entry.Period, entry.Revision - 1));
            var previousDraft = await previous.GetDraftAsync()
                ?? throw new InvalidOperationException($"Revision {entry.Revision} of {entry.Period} has no invoice before it.");
            draft = MonthRevisions.Revise(draft, entry.Revision, previousDraft, (await previous.GetSummaryAsync())?.Number);
        }

        return await WithTaxesAsync(draft);
    }

    /// <summary>
    /// Adds the taxes when the profile includes them. Without a validated address there is no
    /// jurisdiction to rate, so the invoice waits (it is never sent without its taxes).
    /// </summary>
    private async Task<InvoiceDraft> WithTaxesAsync(InvoiceDraft draft)
    {
        if (!draft.IncludeTaxes)
        {
            return draft;
        }

        if (State.Address.Jurisdiction is not { } jurisdiction || !State.Address.Validated)
        {
            throw new TaxesUnavailableException("The address changed and is not validated yet, so taxes can't be rated.", providerFailed: false);
        }

        TaxResult rated;
        try
        {
            rated = await GrainFactory.GetGrain<ITaxRatingGrain>(0).QuoteAsync(InvoiceTaxes.RequestFor(draft, jurisdiction, State.Exemptions));
        }
        catch (Exception exception) when (exception is not BillingProblemException)
        {
            throw new TaxesUnavailableException($"The tax provider failed: {exception.Message}", providerFailed: true, exception);
        }

        return InvoiceComposer.WithTaxes(draft, TaxLineGrouping.Group(rated.Lines)) with { TaxJurisdiction = jurisdiction, TaxExemptions = State.Exemptions };
    }

    private bool RecordOneTimeRequest(string requestId)
    {
        if (State.OneTimeRequests.Contains(requestId))
        {
            return false;
        }

        State.OneTimeRequests.Add(requestId);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantKey}: the invoice for {Period} waits for its taxes: {Reason}")]
    private static partial void LogWaitingForTaxes(ILogger logger, string tenantKey, string period, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantKey}: handing over the invoice for {Period} failed; retrying in {RetryInterval}")]
    private static partial void LogHandOverFailed(ILogger logger, Exception exception, string tenantKey, string period, TimeSpan retryInterval);

    private IStripeInvoiceGrain Invoice(string key) => GrainFactory.GetGrain<IStripeInvoiceGrain>(key);

    private IBillingAlarmGrain Alarm(DateTimeOffset instant) => GrainFactory.GetGrain<IBillingAlarmGrain>(GrainKeys.BillingAlarm(AccountId, instant));

    private void EnsureExists()
    {
        if (!State.Exists)
        {
            throw BillingProblemException.NotFound($"Tenant '{TenantId}'");
        }
    }

    private IStripeCustomerGrain Customer => GrainFactory.GetGrain<IStripeCustomerGrain>(this.GetPrimaryKeyString());

    private async Task<TenantView> ViewAsync() => new(
        AccountId, TenantId, State.Details!, State.Address, State.Profile, State.Exemptions, Book.NextInvoice,
        State.HasStripeCustomer ? await Customer.GetIdAsync() : null, State.CreatedAt, State.UpdatedAt);

    /// <summary>Passes changed tenant data on to the Stripe customer, once there is one.</summary>
    private async Task SyncCustomerAsync()
    {
        if (State.HasStripeCustomer)
        {
            await Customer.SyncAsync(State.Details!);
        }
    }

    /// <summary>
    /// Before the first invoice, gives the tenant's data to its Stripe customer grain, which creates the customer
    /// when the invoice needs it (tenants never invoiced cost no customer grain), saying whether an invoice was
    /// handed over before (<see cref="CustomerMayHaveBeenCreatedAsync"/>). True when the tenant's state changed:
    /// the caller writes it, with the hand-over's record.
    /// </summary>
    private async Task<bool> StartCustomerAsync()
    {
        if (State.HasStripeCustomer)
        {
            return false;
        }

        await Customer.StartAsync(State.Details!, await CustomerMayHaveBeenCreatedAsync(time.GetUtcNow()));
        State.HasStripeCustomer = true;
        return true;
    }

    /// <summary>
    /// Whether an invoice of the tenant may have asked for its Stripe customer; false only when that is certain.
    /// The customer grain stores nothing until it creates the customer, so this is what lets its first create go
    /// without looking for the customer first. An invoice asks only after its draft is stored, and its hand-over is
    /// recorded here only after that, so the record may lack a hand-over that happened: one whose record was lost
    /// (its month stays due, so its invoice is looked up, <see cref="PeriodBook.MayHaveBeenHandedOver(DateTimeOffset)"/>),
    /// or one another activation of this tenant made and recorded after this one read the record (after a silo was
    /// lost, Orleans can briefly run two): the stored record is read again, and unless it is the one this
    /// activation holds, a create may have been sent.
    /// </summary>
    private async Task<bool> CustomerMayHaveBeenCreatedAsync(DateTimeOffset now)
    {
        if (State.HasStripeCustomer || State.InvoicedPeriods.Count > 0 || State.OneTimeRequests.Count > 0 || !State.ListsItsOwnInvoices)
        {
            return true;
        }

        var drafts = await Task.WhenAll(Book.MayHaveBeenHandedOver(now).Select(entry => Invoice(Book.InvoiceKey(AccountId, TenantId, entry.Period)).GetDraftAsync()));
        return drafts.Any(draft => draft is not null) || !await HoldsTheStoredRecordAsync();
    }

    /// <summary>Whether the record in storage is the one this activation read or last wrote (no other activation wrote since).</summary>
    private async Task<bool> HoldsTheStoredRecordAsync()
    {
        var stored = new GrainState<TenantState>(new TenantState());
        await storage.ReadStateAsync(StateName, this.GetGrainId(), stored);
        return stored.ETag == state.Etag;
    }
}
