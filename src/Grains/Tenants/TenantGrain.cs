using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using TenantBilling.Grains.Domain.Addresses;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.OneTimeInvoices;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Tenants;

/// <summary>
/// A tenant and its monthly schedule. Each statement of a closed month becomes an entry in
/// <see cref="TenantState.Periods"/>; with a profile it is scheduled for its billing day and one
/// reminder ("invoice-due") is kept registered for the earliest due entry. When it fires, each due
/// entry is composed and handed to its <see cref="IStripeInvoiceGrain"/> exactly once: the stage is
/// persisted before and after the hand-over, a handed-over entry is never handed over again, and the
/// receiver ignores a repeat of a hand-over that was cut off before it was recorded here.
/// </summary>
[GrainType("tenant")]
public sealed partial class TenantGrain(
    [PersistentState("tenant", StorageNames.Billing)] IPersistentState<TenantState> state,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time,
    AddressValidator addresses,
    IOptions<BillingOptions> options,
    ILogger<TenantGrain> logger) : Grain, ITenantGrain, IRemindable
{
    private const string InvoiceReminder = "invoice-due";

    private static readonly TimeSpan ImmediateDueTime = TimeSpan.FromSeconds(1);

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
            State.CreatedAt = now;
        }

        if (State.Details is { } previous && previous.Address != details.Address)
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
        await SyncReminderAsync();
        await state.WriteStateAsync();
        return State.Profile;
    }

    public async Task DeleteBillingProfileAsync()
    {
        EnsureExists();
        if (State.Profile is null)
        {
            throw BillingProblemException.NotFound("Billing profile");
        }

        State.Profile = null;
        var now = time.GetUtcNow();
        Book.Reschedule(State.Profile, now);
        State.UpdatedAt = now;
        await SyncReminderAsync();
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
        var invoiced = Book.NeedsInvoiceToAccept(period)
            ? await Invoice(GrainKeys.MonthlyInvoice(AccountId, TenantId, period)).GetDraftAsync()
            : null;
        var decision = Book.Accept(period, statement, State.Profile, time.GetUtcNow(), invoiced);

        // A replay may follow a request that stored the statement but failed to register its reminder.
        if (await SyncReminderAsync() || decision.Changed)
        {
            await state.WriteStateAsync();
        }

        return decision.Answer;
    }

    public async Task<InvoicePreview> PreviewInvoiceAsync(string period)
    {
        EnsureExists();
        switch (Book.Preview(period, State.Profile, time.GetUtcNow()))
        {
            case PreviewPlan.FromInvoice invoiced:
                var handedOver = await Invoice(GrainKeys.MonthlyInvoice(AccountId, TenantId, period)).GetDraftAsync()
                    ?? throw BillingProblemException.NotFound($"A statement for {period}");
                return new InvoicePreview(handedOver, null, invoiced.Reason);
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
        var invoices = Book.PendingInvoices(AccountId, TenantId).ToList();

        var keys = new List<string>();
        for (var year = State.CreatedAt.Year; year <= now.Year + 1; year++)
        {
            keys.AddRange(await GrainFactory.GetGrain<IInvoiceHistoryGrain>(GrainKeys.InvoiceHistory(AccountId, TenantId, year)).ListAsync());
        }

        var summaries = await Task.WhenAll(keys.Select(key => Invoice(key).GetSummaryAsync()));
        invoices.AddRange(summaries.OfType<InvoiceSummary>().Where(s => invoices.TrueForAll(p => p.InvoiceKey != s.InvoiceKey)));
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
            await RecordInHistoryAsync(existing);
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

        await StartCustomerAsync();
        var summary = await invoice.SubmitAsync(draft);
        await RecordInHistoryAsync(draft);
        return summary;
    }

    public async Task WakeAsync()
    {
        if (State.Exists)
        {
            if (await SyncReminderAsync(Overdue.FireNow))
            {
                await state.WriteStateAsync();
            }
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == InvoiceReminder)
        {
            await HandOverDueInvoicesAsync();
        }
    }

    /// <summary>
    /// Composes each due invoice once (with its taxes), persists the draft as Composing, hands it over and
    /// records the hand-over. A draft once composed is what is handed over, whatever changes afterwards.
    /// </summary>
    private async Task HandOverDueInvoicesAsync()
    {
        var now = time.GetUtcNow();
        foreach (var entry in Book.DueAt(now))
        {
            if (entry.Stage == PeriodStage.Scheduled)
            {
                try
                {
                    PeriodBook.Composed(entry, await ComposeAsync(entry, State.Profile!, entry.DueAt!.Value));
                }
                catch (TaxesUnavailableException waiting)
                {
                    LogWaitingForTaxes(logger, this.GetPrimaryKeyString(), entry.Period, waiting.Message);
                    if (PeriodBook.Waiting(entry, waiting.Message))
                    {
                        await state.WriteStateAsync();
                    }

                    continue;
                }

                await state.WriteStateAsync();
            }

            try
            {
                await StartCustomerAsync();
                await Invoice(entry.Draft!.InvoiceKey).SubmitAsync(entry.Draft);
                await RecordInHistoryAsync(entry.Draft);
            }
            catch (Exception exception) when (exception is not BillingProblemException)
            {
                // A timeout is not proof the hand-over did not happen: the entry stays Composing and the
                // next tick hands the same draft over again, which the receiver ignores if it has it.
                LogHandOverFailed(logger, exception, this.GetPrimaryKeyString(), entry.Period, options.Value.RetryInterval);
                continue;
            }

            PeriodBook.HandedOver(entry, now);
            await state.WriteStateAsync();
        }

        Book.Trim();
        await SyncReminderAsync(Overdue.RetryLater);
        await state.WriteStateAsync();
    }

    private Task<InvoiceDraft> ComposeAsync(PeriodEntry entry, BillingProfile profile, DateTimeOffset invoiceDate) =>
        WithTaxesAsync(InvoiceComposer.ComposeMonthly(AccountId, TenantId, BillingPeriod.Parse(entry.Period), entry.Statement, profile, invoiceDate));

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

    private async Task RecordInHistoryAsync(InvoiceDraft draft) =>
        await GrainFactory.GetGrain<IInvoiceHistoryGrain>(GrainKeys.InvoiceHistory(AccountId, TenantId, draft.InvoiceDate.Year)).AddAsync(draft.InvoiceKey);

    /// <summary>How <see cref="SyncReminderAsync"/> treats an invoice that is already due.</summary>
    private enum Overdue
    {
        /// <summary>Leave a registered reminder alone (it is about to fire, or its period paces the retries).</summary>
        KeepRegistered,
        /// <summary>Fire now: the clock moved (test clock) or the invoice just became due.</summary>
        FireNow,
        /// <summary>An attempt just failed: fire again after the retry interval.</summary>
        RetryLater,
    }

    /// <summary>
    /// Keeps the reminder registered for the earliest pending invoice, and none when nothing is
    /// pending. The due instant it was registered for is kept in state, so an unchanged schedule
    /// costs no reminder write. It changes only the reminder and <see cref="TenantState.ReminderDueAt"/>:
    /// the caller writes the state once, after it, so one statement costs one state write and one
    /// reminder write, and a reminder is never recorded as registered before it is. Returns whether
    /// the state changed.
    /// </summary>
    private async Task<bool> SyncReminderAsync(Overdue overdue = Overdue.KeepRegistered)
    {
        var now = time.GetUtcNow();
        var next = Book.NextDueAt;
        if (next is null)
        {
            // After a tick (RetryLater) look even when the state knows of no reminder: one registered
            // just before a state write that failed must not tick on forever.
            if (State.ReminderDueAt is not null || overdue == Overdue.RetryLater)
            {
                if (await this.GetReminder(InvoiceReminder) is { } reminder)
                {
                    await this.UnregisterReminder(reminder);
                }

                var changed = State.ReminderDueAt is not null;
                State.ReminderDueAt = null;
                return changed;
            }

            return false;
        }

        DateTimeOffset fireAt;
        if (next > now)
        {
            if (State.ReminderDueAt == next)
            {
                return false;
            }

            fireAt = next.Value;
        }
        else
        {
            if (overdue == Overdue.KeepRegistered && State.ReminderDueAt is { } registered && registered <= now)
            {
                return false;
            }

            fireAt = overdue == Overdue.RetryLater ? now + options.Value.RetryInterval : now;
        }

        // A reminder whose start is already past when the silo schedules it first ticks a whole period later,
        // so "now" is registered as a moment from now.
        var dueTime = fireAt - now < ImmediateDueTime ? ImmediateDueTime : fireAt - now;
        await this.RegisterOrUpdateReminder(InvoiceReminder, dueTime, options.Value.RetryInterval);
        if (overdue != Overdue.RetryLater && fireAt <= now)
        {
            // The moment from now has passed too when storing the reminder took longer (10,000 tenants woken
            // at once on PostgreSQL), and the first tick then comes a whole period later: an invoice due now
            // is handed over at once by a timer as well; the reminder stays for the retries.
            this.RegisterGrainTimer(_ => HandOverDueInvoicesAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }

        State.ReminderDueAt = fireAt;
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantKey}: the invoice for {Period} waits for its taxes: {Reason}")]
    private static partial void LogWaitingForTaxes(ILogger logger, string tenantKey, string period, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Tenant {TenantKey}: handing over the invoice for {Period} failed; retrying in {RetryInterval}")]
    private static partial void LogHandOverFailed(ILogger logger, Exception exception, string tenantKey, string period, TimeSpan retryInterval);

    private IStripeInvoiceGrain Invoice(string key) => GrainFactory.GetGrain<IStripeInvoiceGrain>(key);

    private void EnsureExists()
    {
        if (!State.Exists)
        {
            throw BillingProblemException.NotFound($"Tenant '{TenantId}'");
        }
    }

    private IStripeCustomerGrain Customer => GrainFactory.GetGrain<IStripeCustomerGrain>(this.GetPrimaryKeyString());

    private async Task<TenantView> ViewAsync() => new(
        AccountId, TenantId, State.Details!, State.Address, State.Profile, State.Exemptions,
        Book.NextInvoice,
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
    /// Before the first invoice, gives the tenant's data to its Stripe customer grain, which creates the
    /// customer when the invoice needs it. Tenants never invoiced cost no customer grain at all.
    /// </summary>
    private async Task StartCustomerAsync()
    {
        if (!State.HasStripeCustomer)
        {
            await Customer.SyncAsync(State.Details!);
            State.HasStripeCustomer = true;
            await state.WriteStateAsync();
        }
    }
}
