using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Schedule;

/// <summary>
/// A tenant's months, and the rules that move them: a statement of a closed month becomes an entry,
/// is scheduled for the profile's billing day (<see cref="BillingSchedule"/>), replaced while its
/// invoice is not handed over and refused afterwards, and handed over once when due. Handed-over and
/// unscheduled entries are trimmed to the newest few; an older month is answered by its invoice.
/// </summary>
/// <remarks>
/// A hand-over is recorded after it happened, in the one state write it costs, so a stored entry that is
/// scheduled and due may already have been handed over (the process stopped before the record was written).
/// Wherever that matters (other content for the month, the preview, the invoice list, deleting the profile)
/// the caller looks the month's invoice up first, when <see cref="NeedsInvoiceToAccept"/> or
/// <see cref="MayHaveBeenHandedOver(PeriodEntry, DateTimeOffset)"/> says so; the invoice keeps the first draft
/// it was handed, so a repeated hand-over changes nothing. Changes only the state it is given; the caller persists it.
/// </remarks>
public sealed class PeriodBook(IPeriodBookState state)
{
    /// <summary>Handed-over and unscheduled entries kept (a year of each) to answer replays of recent statements from the tenant itself.</summary>
    public const int RecentEntriesKept = 12;

    private List<PeriodEntry> Periods => state.Periods;

    public PeriodEntry? Find(string period) => Periods.Find(e => e.Period == period);

    /// <summary>Every entry whose invoice is still to be handed over, earliest due first.</summary>
    public IEnumerable<PeriodEntry> Pending => Periods.Where(e => e.IsPending).OrderBy(e => e.DueAt);

    /// <summary>The pending entries due at <paramref name="now"/>, oldest month first.</summary>
    public IReadOnlyList<PeriodEntry> DueAt(DateTimeOffset now) => Periods.Where(e => e.IsPending && e.DueAt <= now).ToList();

    /// <summary>When the earliest pending invoice is due, or null when none is pending.</summary>
    public DateTimeOffset? NextDueAt => Periods.Where(e => e.IsPending).Min(e => e.DueAt);

    /// <summary>The next invoice to go out, as the tenant view shows it.</summary>
    public ScheduledInvoice? NextInvoice => Pending.Select(e => new ScheduledInvoice(e.Period, e.DueAt!.Value)).FirstOrDefault();

    /// <summary>
    /// Whether <see cref="Accept"/> needs the month's handed-over draft first: the month's entry was trimmed, so
    /// only its invoice knows whether it was billed and from which statement; or other content arrives for a month
    /// that is due and may have been handed over already.
    /// </summary>
    /// <remarks>
    /// A handed-over month is always looked up, the same statement too: a month whose invoice is void is invoiced again
    /// (<see cref="Accept"/> with the invoice's status), and one whose invoice is open is voided first (<see cref="VoidsFirst"/>).
    /// </remarks>
    public bool NeedsInvoiceToAccept(string period, Statement statement, DateTimeOffset now) => Find(period) switch
    {
        null => state.TrimmedThrough is { } trimmed && string.CompareOrdinal(period, trimmed) <= 0,
        var entry => entry.Stage == PeriodStage.HandedOver || (MayHaveBeenHandedOver(entry, now) && !entry.Statement.HasSameContent(statement)),
    };

    /// <summary>The month's current revision: 0 until its first invoice was voided and the month invoiced again.</summary>
    public int Revision(string period) => state.Revisions.GetValueOrDefault(period);

    /// <summary>The key of the month's current invoice (<see cref="GrainKeys.MonthlyInvoice(string, string, string, int)"/>).</summary>
    public string InvoiceKey(string accountId, string tenantId, string period) => GrainKeys.MonthlyInvoice(accountId, tenantId, period, Revision(period));

    /// <summary>Every invoice key the month has had, the first first; the last is the current one.</summary>
    public IEnumerable<(string Key, int Revision)> InvoiceKeys(string accountId, string tenantId, string period) =>
        Enumerable.Range(0, Revision(period) + 1).Select(r => (GrainKeys.MonthlyInvoice(accountId, tenantId, period, r), r));

    /// <summary>
    /// Another statement for a month whose invoice is open in Stripe (sent, payment failed, uncollectible): the invoice is
    /// voided first, then the month is invoiced again from the new statement. Stripe's own revision (<c>from_invoice</c>)
    /// is not used: it copies the original's lines into the new draft and can't revise a void invoice, whereas a void and a
    /// new invoice take one path whether the void came from us, from the reseller's Dashboard or from this statement.
    /// </summary>
    public static bool VoidsFirst(InvoiceStatus status) => status is InvoiceStatus.Sent or InvoiceStatus.PaymentFailed or InvoiceStatus.Uncollectible;

    /// <summary>The entry is due and still scheduled: its hand-over may have happened without being recorded.</summary>
    public static bool MayHaveBeenHandedOver(PeriodEntry entry, DateTimeOffset now) => entry.Stage == PeriodStage.Scheduled && entry.DueAt <= now;

    /// <summary>The entries <see cref="MayHaveBeenHandedOver(PeriodEntry, DateTimeOffset)"/>.</summary>
    public IReadOnlyList<PeriodEntry> MayHaveBeenHandedOver(DateTimeOffset now) => Periods.Where(e => MayHaveBeenHandedOver(e, now)).ToList();

    /// <summary>
    /// Takes the statement of a closed month. The same content again changes nothing; other content replaces
    /// the statement and reschedules it while the invoice is not being handed over, and is a conflict after (a paid
    /// invoice is credited instead, an open one voided first). Once the month's invoice is void, any statement for it
    /// (the same one too) is the month's next revision, invoiced at once.
    /// </summary>
    /// <param name="invoiced">The month's current handed-over draft (null when there is none), when <see cref="NeedsInvoiceToAccept"/> asked for it.</param>
    /// <param name="invoicedStatus">That invoice's status: a void one makes the statement (another or the same) the month's next revision.</param>
    public StatementDecision Accept(string period, Statement statement, BillingProfile? profile, DateTimeOffset now, InvoiceDraft? invoiced = null, InvoiceStatus? invoicedStatus = null)
    {
        var month = BillingPeriod.Parse(period);
        if (!month.IsClosedAt(now))
        {
            throw BillingProblemException.Invalid("period", $"{period} has not ended yet: statements are for closed months (UTC).");
        }

        var entry = Find(period);
        var invoicedNow = invoiced is not null && (entry is null || entry.Stage == PeriodStage.HandedOver || MayHaveBeenHandedOver(entry, now));
        if (invoicedNow && invoicedStatus == InvoiceStatus.Void)
        {
            return Revise(period, entry, statement, profile, now);
        }

        if (invoicedNow && invoicedStatus is { } status && (invoiced!.SourceStatement ?? entry?.Statement) is { } billed && !billed.HasSameContent(statement))
        {
            throw NotRevisable(period, status);
        }

        StatementOutcome outcome;
        if (entry is not null)
        {
            if (entry.Statement.HasSameContent(statement))
            {
                return new StatementDecision(Answer(StatementOutcome.Replayed, entry, profile), Changed: false);
            }

            if (entry.Stage is PeriodStage.Composing or PeriodStage.HandedOver || (invoiced is not null && MayHaveBeenHandedOver(entry, now)))
            {
                throw AlreadyInvoiced(period);
            }

            entry.Statement = statement;
            entry.ReceivedAt = now;
            outcome = StatementOutcome.Replaced;
        }
        else
        {
            if (invoiced?.SourceStatement is { } source)
            {
                return source.HasSameContent(statement)
                    ? new StatementDecision(new StatementAccepted(StatementOutcome.Replayed, period, null, BillingSchedule.AlreadyInvoiced(month)), Changed: false)
                    : throw AlreadyInvoiced(period);
            }

            entry = new PeriodEntry { Period = period, Statement = statement, ReceivedAt = now };
            InsertInOrder(entry);
            outcome = StatementOutcome.Created;
        }

        if (state.LatestStatementPeriod is null || string.CompareOrdinal(period, state.LatestStatementPeriod) >= 0)
        {
            state.LatestStatementPeriod = period;
            state.LatestUsageTotal = statement.UsageTotal;
        }

        Schedule(entry, profile, now);
        Trim();
        return new StatementDecision(Answer(outcome, entry, profile), Changed: true);
    }

    /// <summary>
    /// The month's invoice is void: the statement becomes the month's next revision, due at once (or unscheduled
    /// without a profile). Its key is fixed now (<see cref="InvoiceKey"/>), so however often it is handed over it is
    /// one invoice; until it is, another statement replaces this one as for any month not yet invoiced.
    /// </summary>
    private StatementDecision Revise(string period, PeriodEntry? entry, Statement statement, BillingProfile? profile, DateTimeOffset now)
    {
        var revision = Revision(period) + 1;
        if (revision > GrainKeys.MaxRevision)
        {
            throw BillingProblemException.Conflict($"{period} has been revised {GrainKeys.MaxRevision} times; it can't be revised again.");
        }

        if (entry is null)
        {
            entry = new PeriodEntry { Period = period };
            InsertInOrder(entry);
        }

        entry.Statement = statement;
        entry.ReceivedAt = now;
        entry.Revision = revision;
        entry.Draft = null;
        entry.HandedOverAt = null;
        entry.WaitingReason = null;
        entry.Stage = profile is null ? PeriodStage.Unscheduled : PeriodStage.Scheduled;
        entry.DueAt = profile is null ? null : now;
        state.Revisions[period] = revision;
        if (state.LatestStatementPeriod is null || string.CompareOrdinal(period, state.LatestStatementPeriod) >= 0)
        {
            state.LatestStatementPeriod = period;
            state.LatestUsageTotal = statement.UsageTotal;
        }

        Trim();
        return new StatementDecision(Answer(StatementOutcome.Revised, entry, profile), Changed: true);
    }

    /// <summary>Recomputes the due instant of every entry not yet being handed over, after the profile changed or was deleted.</summary>
    public void Reschedule(BillingProfile? profile, DateTimeOffset now)
    {
        foreach (var entry in Periods.Where(e => e.Stage is PeriodStage.Unscheduled or PeriodStage.Scheduled))
        {
            Schedule(entry, profile, now);
        }
    }

    /// <summary>The entry's invoice was composed and is being handed over: the draft is kept, so what is handed over never changes.</summary>
    public static void Composed(PeriodEntry entry, InvoiceDraft draft)
    {
        entry.Draft = draft;
        entry.Stage = PeriodStage.Composing;
        entry.WaitingReason = null;
    }

    /// <summary>The invoice grain has the entry's draft: nothing more is scheduled for the month, and it joins the invoice list.</summary>
    public void HandedOver(PeriodEntry entry, DateTimeOffset now)
    {
        entry.Stage = PeriodStage.HandedOver;
        entry.HandedOverAt = now;
        entry.Draft = null;
        entry.WaitingReason = null;
        if (!state.InvoicedPeriods.Contains(entry.Period))
        {
            state.InvoicedPeriods.Add(entry.Period);
        }
    }

    /// <summary>Records why a due invoice waits (its taxes can't be rated now); true when the reason is new.</summary>
    public static bool Waiting(PeriodEntry entry, string reason)
    {
        if (entry.WaitingReason == reason)
        {
            return false;
        }

        entry.WaitingReason = reason;
        return true;
    }

    /// <summary>Drops all but the newest <see cref="RecentEntriesKept"/> handed-over and unscheduled entries, so the state stays small; true when any was dropped.</summary>
    public bool Trim()
    {
        var trimmed = false;
        foreach (var stage in new[] { PeriodStage.HandedOver, PeriodStage.Unscheduled })
        {
            foreach (var entry in Periods.Where(e => e.Stage == stage).SkipLast(RecentEntriesKept).ToList())
            {
                Periods.Remove(entry);
                trimmed = true;
                if (state.TrimmedThrough is null || string.CompareOrdinal(entry.Period, state.TrimmedThrough) > 0)
                {
                    state.TrimmedThrough = entry.Period;
                }
            }
        }

        return trimmed;
    }

    /// <summary>What the preview of a month shows, and where its draft comes from.</summary>
    /// <param name="handedOver">The month's handed-over draft, looked up when the entry <see cref="MayHaveBeenHandedOver(PeriodEntry, DateTimeOffset)"/>.</param>
    public PreviewPlan Preview(string period, BillingProfile? profile, DateTimeOffset now, InvoiceDraft? handedOver = null)
    {
        var entry = Find(period);
        if (entry?.Stage is null or PeriodStage.HandedOver || (handedOver is not null && MayHaveBeenHandedOver(entry, now)))
        {
            return new PreviewPlan.FromInvoice(BillingSchedule.AlreadyInvoiced(BillingPeriod.Parse(period)));
        }

        if (entry.Draft is { } composed)
        {
            return new PreviewPlan.Kept(composed, entry.DueAt);
        }

        if (profile is null)
        {
            throw BillingProblemException.Conflict($"The tenant has no billing profile, so {period} can't be composed and is not billed.");
        }

        return new PreviewPlan.Compose(entry, entry.DueAt ?? now, entry.IsPending ? entry.DueAt : null, WhyNotScheduled(entry, profile));
    }

    /// <summary>The invoices still to be handed over, as the tenant's invoice list shows them.</summary>
    public IEnumerable<InvoiceSummary> PendingInvoices(string accountId, string tenantId) =>
        Periods.Where(e => e.IsPending).Select(e => new InvoiceSummary(
            GrainKeys.MonthlyInvoice(accountId, tenantId, e.Period, e.Revision), InvoiceKind.Monthly, e.Period, null,
            e.Stage == PeriodStage.Composing ? InvoiceStatus.Composing : e.WaitingReason is null ? InvoiceStatus.Scheduled : InvoiceStatus.WaitingForTaxes,
            e.DueAt, e.Draft?.Total, null, null, null, null, null, e.WaitingReason, e.ReceivedAt, Revision: e.Revision, Current: true));

    /// <summary>Why the entry's month is not scheduled, or null while it is pending.</summary>
    public static NotScheduled? WhyNotScheduled(PeriodEntry entry, BillingProfile? profile) => entry.Stage switch
    {
        PeriodStage.Unscheduled => BillingSchedule.WhyNotScheduled(profile, BillingPeriod.Parse(entry.Period)),
        PeriodStage.HandedOver => BillingSchedule.AlreadyInvoiced(BillingPeriod.Parse(entry.Period)),
        _ => null,
    };

    public static StatementAccepted Answer(StatementOutcome outcome, PeriodEntry entry, BillingProfile? profile) =>
        new(outcome, entry.Period, entry.IsPending ? entry.DueAt : null, WhyNotScheduled(entry, profile));

    /// <summary>
    /// Schedules an entry not yet being handed over for the profile's billing day, or unschedules it without a
    /// profile. A due instant that has passed stays as it is: the invoice is being sent now, and its invoice
    /// date must not move between retries.
    /// </summary>
    private static void Schedule(PeriodEntry entry, BillingProfile? profile, DateTimeOffset now)
    {
        if (entry.Stage is PeriodStage.Composing or PeriodStage.HandedOver)
        {
            return;
        }

        if (entry.Stage == PeriodStage.Scheduled && entry.DueAt <= now && profile is not null)
        {
            return;
        }

        var dueAt = profile is null
            ? null
            : BillingSchedule.DueAt(profile.BillingDay, BillingPeriod.Parse(profile.FirstPeriod), BillingPeriod.Parse(entry.Period), now);
        entry.DueAt = dueAt;
        entry.Stage = dueAt is null ? PeriodStage.Unscheduled : PeriodStage.Scheduled;
        if (dueAt is null)
        {
            entry.WaitingReason = null;
        }
    }

    private void InsertInOrder(PeriodEntry entry)
    {
        var index = Periods.FindIndex(e => string.CompareOrdinal(e.Period, entry.Period) > 0);
        Periods.Insert(index < 0 ? Periods.Count : index, entry);
    }

    /// <summary>Why another statement can't be taken for a month whose invoice has <paramref name="status"/>.</summary>
    private BillingProblemException NotRevisable(string period, InvoiceStatus status) => status switch
    {
        InvoiceStatus.Paid => BillingProblemException.Conflict(
            $"{period} is invoiced and paid, so it can't be invoiced again; credit the difference instead (POST …/invoices/{GrainKeys.MonthlyInvoiceId(period, Revision(period))}/credit)."),
        _ when VoidsFirst(status) => BillingProblemException.Conflict(
            $"{period} is invoiced and open in Stripe: void it first (POST …/invoices/{GrainKeys.MonthlyInvoiceId(period, Revision(period))}/void), then send the statement again."),
        _ => AlreadyInvoiced(period),
    };

    private static BillingProblemException AlreadyInvoiced(string period) =>
        BillingProblemException.Conflict($"{period} has already been invoiced with a different statement; it can't be changed.");
}
