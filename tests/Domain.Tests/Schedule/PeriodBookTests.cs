using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Schedule;

/// <summary>The period book's rules, each case from a given book to the answer and the book after it.</summary>
public sealed class PeriodBookTests
{
    private static readonly DateTimeOffset Nov2 = Utc(2026, 11, 2);

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    private static BillingProfile Profile(int billingDay = 20, string firstPeriod = "2026-01") =>
        new(false, false, billingDay, new Dictionary<string, decimal> { ["minutes_outbound"] = 0.02m }, [], firstPeriod, Utc(2026, 1, 5), Utc(2026, 1, 5));

    private static Statement Usage(decimal minutes, decimal usageTotal = 42m, decimal numbers = 0) =>
        new(usageTotal, new Dictionary<string, decimal> { ["minutes_outbound"] = minutes, ["local_numbers"] = numbers });

    private sealed class State : IPeriodBookState
    {
        public List<PeriodEntry> Periods { get; } = [];
        public string? TrimmedThrough { get; set; }
        public string? LatestStatementPeriod { get; set; }
        public decimal LatestUsageTotal { get; set; }
        public List<string> InvoicedPeriods { get; } = [];
        public Dictionary<string, int> Revisions { get; } = [];
    }

    /// <summary>A book holding October 2026 in the given stage (statement of 1,000 minutes, due Nov 20).</summary>
    private static (PeriodBook Book, State State) WithOctober(PeriodStage? stage)
    {
        var state = new State();
        if (stage is { } s)
        {
            state.Periods.Add(new PeriodEntry
            {
                Period = "2026-10",
                Statement = Usage(1000),
                ReceivedAt = Utc(2026, 11, 1),
                Stage = s,
                DueAt = s == PeriodStage.Unscheduled ? null : Utc(2026, 11, 20),
                HandedOverAt = s == PeriodStage.HandedOver ? Utc(2026, 11, 20) : null,
            });
            state.LatestStatementPeriod = "2026-10";
            state.LatestUsageTotal = 42m;
        }

        return (new PeriodBook(state), state);
    }

    public static TheoryData<string, PeriodStage?, decimal, bool, StatementOutcome?, DateTimeOffset?, NotScheduledCode?, bool> AcceptCases => new()
    {
        // case; October's stage before; minutes sent; with profile; outcome (null: 409); scheduled for; reason; book changed
        { "first statement: scheduled for the billing day", null, 1000, true, StatementOutcome.Created, Utc(2026, 11, 20), null, true },
        { "first statement without a profile: kept, not billed", null, 1000, false, StatementOutcome.Created, null, NotScheduledCode.NoBillingProfile, true },
        { "same content while scheduled: a replay that changes nothing", PeriodStage.Scheduled, 1000, true, StatementOutcome.Replayed, Utc(2026, 11, 20), null, false },
        { "other content while scheduled: replaced and rescheduled", PeriodStage.Scheduled, 1200, true, StatementOutcome.Replaced, Utc(2026, 11, 20), null, true },
        { "other content while unscheduled: replaced, still not billed", PeriodStage.Unscheduled, 1200, false, StatementOutcome.Replaced, null, NotScheduledCode.NoBillingProfile, true },
        { "same content while composing: a replay", PeriodStage.Composing, 1000, true, StatementOutcome.Replayed, Utc(2026, 11, 20), null, false },
        { "other content while composing: already being invoiced", PeriodStage.Composing, 1200, true, null, null, null, false },
        { "same content after the hand-over: a replay saying it is invoiced", PeriodStage.HandedOver, 1000, true, StatementOutcome.Replayed, null, NotScheduledCode.AlreadyInvoiced, false },
        { "other content after the hand-over: refused", PeriodStage.HandedOver, 1200, true, null, null, null, false },
    };

    [Theory]
    [MemberData(nameof(AcceptCases))]
    public void A_statement_is_created_replayed_replaced_or_refused(
        string name, PeriodStage? before, decimal minutes, bool withProfile, StatementOutcome? outcome, DateTimeOffset? scheduledFor, NotScheduledCode? reason, bool changed)
    {
        var (book, state) = WithOctober(before);
        var profile = withProfile ? Profile() : null;
        var statement = Usage(minutes);

        if (outcome is null)
        {
            var refused = Assert.Throws<BillingProblemException>(() => book.Accept("2026-10", statement, profile, Nov2));
            Assert.Equal(ProblemKind.Conflict, refused.Kind);
            Assert.Equal(1000, book.Find("2026-10")!.Statement.Quantities["minutes_outbound"]);
            return;
        }

        var decision = book.Accept("2026-10", statement, profile, Nov2);

        Assert.True((outcome, scheduledFor, reason, changed) == (decision.Answer.Outcome, decision.Answer.ScheduledFor, decision.Answer.NotScheduled?.Code, decision.Changed), name);
        Assert.Equal(minutes, book.Find("2026-10")!.Statement.Quantities["minutes_outbound"]);
        Assert.Single(state.Periods);
    }

    [Fact]
    public void A_product_at_quantity_zero_equals_an_absent_one_so_it_is_a_replay()
    {
        var (book, _) = WithOctober(PeriodStage.Scheduled);

        var decision = book.Accept("2026-10", new Statement(42m, new Dictionary<string, decimal> { ["minutes_outbound"] = 1000, ["toll_free_numbers"] = 0 }), Profile(), Nov2);

        Assert.Equal((StatementOutcome.Replayed, false), (decision.Answer.Outcome, decision.Changed));
    }

    [Fact]
    public void A_replacement_is_received_now_and_a_passed_due_instant_does_not_move()
    {
        var (book, _) = WithOctober(PeriodStage.Scheduled);
        var lateNow = Utc(2026, 11, 20, 5);

        var decision = book.Accept("2026-10", Usage(1500), Profile(billingDay: 25), lateNow);

        var entry = book.Find("2026-10")!;
        Assert.Equal((StatementOutcome.Replaced, Utc(2026, 11, 20)), (decision.Answer.Outcome, decision.Answer.ScheduledFor));
        Assert.Equal(lateNow, entry.ReceivedAt);
    }

    [Theory]
    [InlineData("2026-11", "2026-11-30T23:59:59Z", "period")]   // the month has not ended
    [InlineData("2026-12", "2026-11-15T00:00:00Z", "period")]   // a future month
    public void A_statement_of_a_month_not_yet_closed_is_invalid_and_changes_nothing(string period, string now, string field)
    {
        var (book, state) = WithOctober(null);

        var refused = Assert.Throws<BillingProblemException>(() => book.Accept(period, Usage(1), Profile(), DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.Equal(ProblemKind.Validation, refused.Kind);
        Assert.True(refused.Errors!.ContainsKey(field));
        Assert.Empty(state.Periods);
    }

    public static TheoryData<string, string, int, string, DateTimeOffset, DateTimeOffset?, NotScheduledCode?> ScheduleCases => new()
    {
        // case; period; billing day; profile's first month; arrives; scheduled for; reason
        { "due on the billing day of the next month", "2026-10", 20, "2026-01", Nov2, Utc(2026, 11, 20), null },
        { "the billing day has passed: due at once", "2026-10", 1, "2026-01", Nov2, Nov2, null },
        { "arriving on the billing instant itself is not late", "2026-10", 2, "2026-01", Nov2, Nov2, null },
        { "a month before the profile's first: kept, never billed", "2025-12", 20, "2026-01", Nov2, null, NotScheduledCode.BeforeFirstBilledMonth },
        { "day 31 in November is its 30th", "2026-10", 31, "2026-01", Nov2, Utc(2026, 11, 30), null },
        { "day 31 in a leap February is the 29th", "2028-01", 31, "2026-01", Utc(2028, 2, 1), Utc(2028, 2, 29), null },
        { "day 29 in a common February is the 28th", "2027-01", 29, "2026-01", Utc(2027, 2, 1), Utc(2027, 2, 28), null },
        { "December bills in January of the next year", "2026-12", 5, "2026-01", Utc(2027, 1, 2), Utc(2027, 1, 5), null },
        { "a statement months late is due at once", "2026-03", 15, "2026-01", Nov2, Nov2, null },
        { "the profile's own month bills the month after", "2026-10", 20, "2026-10", Nov2, Utc(2026, 11, 20), null },
    };

    [Theory]
    [MemberData(nameof(ScheduleCases))]
    public void A_new_statement_is_scheduled_by_the_profile(
        string name, string period, int billingDay, string firstPeriod, DateTimeOffset arrives, DateTimeOffset? scheduledFor, NotScheduledCode? reason)
    {
        var (book, _) = WithOctober(null);

        var answer = book.Accept(period, Usage(10), Profile(billingDay, firstPeriod), arrives).Answer;

        Assert.True((StatementOutcome.Created, scheduledFor, reason) == (answer.Outcome, answer.ScheduledFor, answer.NotScheduled?.Code), $"{name}: {answer}");
        Assert.Equal(scheduledFor is null ? PeriodStage.Unscheduled : PeriodStage.Scheduled, book.Find(period)!.Stage);
    }

    [Fact]
    public void The_latest_statement_sets_the_usage_total_and_an_older_one_does_not()
    {
        var (book, state) = WithOctober(null);
        book.Accept("2026-10", Usage(1, usageTotal: 12m), Profile(), Nov2);
        book.Accept("2026-08", Usage(1, usageTotal: 99m), Profile(), Nov2);
        Assert.Equal(("2026-10", 12m), (state.LatestStatementPeriod, state.LatestUsageTotal));

        book.Accept("2026-10", Usage(2, usageTotal: 3.5m), Profile(), Nov2);
        Assert.Equal(("2026-10", 3.5m), (state.LatestStatementPeriod, state.LatestUsageTotal));
        Assert.Equal(["2026-08", "2026-10"], state.Periods.Select(e => e.Period));
    }

    public static TheoryData<string, PeriodStage, int?, DateTimeOffset, PeriodStage, DateTimeOffset?> RescheduleCases => new()
    {
        // case; October's stage; new billing day (null: profile deleted); now; stage after; due after
        { "a later billing day moves a pending invoice", PeriodStage.Scheduled, 28, Nov2, PeriodStage.Scheduled, Utc(2026, 11, 28) },
        { "an earlier billing day not yet passed moves it too", PeriodStage.Scheduled, 10, Nov2, PeriodStage.Scheduled, Utc(2026, 11, 10) },
        { "a billing day gone by makes it due at once", PeriodStage.Scheduled, 1, Utc(2026, 11, 10, 6), PeriodStage.Scheduled, Utc(2026, 11, 10, 6) },
        { "a due instant that has passed stays where it was", PeriodStage.Scheduled, 28, Utc(2026, 11, 21), PeriodStage.Scheduled, Utc(2026, 11, 20) },
        { "deleting the profile cancels a pending invoice", PeriodStage.Scheduled, null, Nov2, PeriodStage.Unscheduled, null },
        { "deleting the profile cancels even a due one not handed over", PeriodStage.Scheduled, null, Utc(2026, 11, 21), PeriodStage.Unscheduled, null },
        { "a new profile schedules a kept month of its own era", PeriodStage.Unscheduled, 20, Nov2, PeriodStage.Scheduled, Utc(2026, 11, 20) },
        { "a composing invoice is not touched", PeriodStage.Composing, null, Nov2, PeriodStage.Composing, Utc(2026, 11, 20) },
        { "a handed-over invoice is not touched", PeriodStage.HandedOver, 5, Nov2, PeriodStage.HandedOver, Utc(2026, 11, 20) },
    };

    [Theory]
    [MemberData(nameof(RescheduleCases))]
    public void A_profile_change_reschedules_what_is_not_being_handed_over(
        string name, PeriodStage before, int? billingDay, DateTimeOffset now, PeriodStage stage, DateTimeOffset? dueAt)
    {
        var (book, _) = WithOctober(before);
        var entry = book.Find("2026-10")!;
        entry.WaitingReason = "waiting for taxes";

        book.Reschedule(billingDay is { } day ? Profile(day) : null, now);

        Assert.True((stage, dueAt) == (entry.Stage, entry.DueAt), $"{name}: {entry.Stage} {entry.DueAt:O}");
        if (stage == PeriodStage.Unscheduled)
        {
            Assert.Null(entry.WaitingReason);
        }
    }

    [Fact]
    public void Only_pending_entries_that_are_due_are_handed_over_oldest_first()
    {
        var state = new State();
        var book = new PeriodBook(state);
        var profile = Profile(billingDay: 20);
        book.Accept("2026-09", Usage(1), profile, Utc(2026, 11, 2));   // due at once (Oct 20 passed)
        book.Accept("2026-10", Usage(2), profile, Utc(2026, 11, 2));   // due Nov 20
        book.Accept("2025-06", Usage(3), Profile(firstPeriod: "2026-01"), Utc(2026, 11, 2));   // never billed

        Assert.Equal(["2026-09"], book.DueAt(Utc(2026, 11, 3)).Select(e => e.Period));
        Assert.Equal(Utc(2026, 11, 2), book.NextDueAt);
        Assert.Equal(new ScheduledInvoice("2026-09", Utc(2026, 11, 2)), book.NextInvoice);

        book.HandedOver(book.Find("2026-09")!, Utc(2026, 11, 3));
        Assert.Empty(book.DueAt(Utc(2026, 11, 19)));
        Assert.Equal(["2026-10"], book.DueAt(Utc(2026, 11, 20)).Select(e => e.Period));
        Assert.Equal(new ScheduledInvoice("2026-10", Utc(2026, 11, 20)), book.NextInvoice);

        book.HandedOver(book.Find("2026-10")!, Utc(2026, 11, 20));
        Assert.Null(book.NextDueAt);
        Assert.Null(book.NextInvoice);
    }

    [Fact]
    public void The_hand_over_bookkeeping_keeps_the_draft_while_composing_and_drops_it_once_handed_over()
    {
        var (book, _) = WithOctober(PeriodStage.Scheduled);
        var entry = book.Find("2026-10")!;
        var draft = Draft("2026-10");

        Assert.True(PeriodBook.Waiting(entry, "The tax provider failed."));
        Assert.False(PeriodBook.Waiting(entry, "The tax provider failed."));
        Assert.Equal(InvoiceStatus.WaitingForTaxes, book.PendingInvoices("acct", "t1").Single().Status);

        PeriodBook.Composed(entry, draft);
        Assert.Equal((PeriodStage.Composing, draft, null), (entry.Stage, entry.Draft, entry.WaitingReason));
        var listed = book.PendingInvoices("acct", "t1").Single();
        Assert.Equal((GrainKeys.MonthlyInvoice("acct", "t1", "2026-10"), InvoiceStatus.Composing, draft.Total), (listed.InvoiceKey, listed.Status, listed.Total));
        Assert.Equal(new PreviewPlan.Kept(draft, Utc(2026, 11, 20)), book.Preview("2026-10", Profile(), Nov2));

        book.HandedOver(entry, Utc(2026, 11, 20, 1));
        Assert.Equal((PeriodStage.HandedOver, Utc(2026, 11, 20, 1), null), (entry.Stage, entry.HandedOverAt, entry.Draft));
        Assert.Empty(book.PendingInvoices("acct", "t1"));
        Assert.IsType<PreviewPlan.FromInvoice>(book.Preview("2026-10", Profile(), Nov2));
    }

    public static TheoryData<string, PeriodStage?, bool, string> PreviewCases => new()
    {
        { "no statement: ask the invoice (trimmed or never sent)", null, true, nameof(PreviewPlan.FromInvoice) },
        { "handed over: its invoice holds the draft", PeriodStage.HandedOver, true, nameof(PreviewPlan.FromInvoice) },
        { "scheduled: composed now, as it will be", PeriodStage.Scheduled, true, nameof(PreviewPlan.Compose) },
        { "unscheduled with a profile: composed, with the reason it is not sent", PeriodStage.Unscheduled, true, nameof(PreviewPlan.Compose) },
        { "no profile: nothing to compose with", PeriodStage.Unscheduled, false, "conflict" },
    };

    [Theory]
    [MemberData(nameof(PreviewCases))]
    public void The_preview_comes_from_the_invoice_the_kept_draft_or_a_composition(string name, PeriodStage? stage, bool withProfile, string expected)
    {
        var (book, _) = WithOctober(stage);

        var plan = Record.Exception(() => book.Preview("2026-10", withProfile ? Profile() : null, Nov2)) is BillingProblemException { Kind: ProblemKind.Conflict }
            ? "conflict"
            : book.Preview("2026-10", withProfile ? Profile() : null, Nov2).GetType().Name;

        Assert.True(expected == plan, $"{name}: {plan}");
    }

    [Fact]
    public void A_composition_for_the_preview_is_dated_on_the_due_instant_and_says_why_it_is_not_sent()
    {
        var (scheduled, _) = WithOctober(PeriodStage.Scheduled);
        var (unscheduled, _) = WithOctober(PeriodStage.Unscheduled);

        var pending = Assert.IsType<PreviewPlan.Compose>(scheduled.Preview("2026-10", Profile(), Nov2));
        var kept = Assert.IsType<PreviewPlan.Compose>(unscheduled.Preview("2026-10", Profile(firstPeriod: "2026-11"), Nov2));

        Assert.Equal((Utc(2026, 11, 20), Utc(2026, 11, 20), null), (pending.InvoiceDate, pending.ScheduledFor, pending.NotScheduled));
        Assert.Equal((Nov2, null, NotScheduledCode.BeforeFirstBilledMonth), (kept.InvoiceDate, kept.ScheduledFor, kept.NotScheduled?.Code));
    }

    [Fact]
    public void Trimming_keeps_the_newest_twelve_handed_over_and_unscheduled_months_and_every_pending_one()
    {
        var state = new State();
        var book = new PeriodBook(state);
        var now = Utc(2030, 1, 2);
        for (var i = 0; i < 15; i++)
        {
            var month = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(i);
            book.Accept($"{month:yyyy-MM}", Usage(i), Profile(firstPeriod: "2024-01"), now);
            book.HandedOver(book.Find($"{month:yyyy-MM}")!, now);
        }

        for (var i = 0; i < 14; i++)
        {
            var month = new DateTimeOffset(2020, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMonths(i);
            book.Accept($"{month:yyyy-MM}", Usage(i), Profile(firstPeriod: "2024-01"), now);   // before the first month: unscheduled
        }

        book.Accept("2029-11", Usage(1), Profile(firstPeriod: "2024-01"), now);   // pending: each statement trims the book

        Assert.Equal(PeriodBook.RecentEntriesKept, state.Periods.Count(e => e.Stage == PeriodStage.HandedOver));
        Assert.Equal(PeriodBook.RecentEntriesKept, state.Periods.Count(e => e.Stage == PeriodStage.Unscheduled));
        Assert.Equal("2024-03", state.TrimmedThrough);   // the newest month dropped
        Assert.NotNull(book.Find("2029-11"));
        Assert.Null(book.Find("2024-01"));
        Assert.Null(book.Find("2020-02"));
        Assert.Equal(state.Periods.OrderBy(e => e.Period, StringComparer.Ordinal).Select(e => e.Period), state.Periods.Select(e => e.Period));
        Assert.False(book.Trim());

        book.HandedOver(book.Find("2029-11")!, now);   // a thirteenth handed-over month: the oldest goes
        Assert.True(book.Trim());
        Assert.Equal(("2024-04", false), (state.TrimmedThrough, state.Periods.Exists(e => e.Period == "2024-04")));
    }

    public static TheoryData<string, decimal?, decimal, StatementOutcome?, bool> TrimmedCases => new()
    {
        // case; minutes of the invoice's source statement (null: no invoice); minutes sent; outcome (null: 409); entry created
        { "its invoice was made from the same statement: a replay", 1000, 1000, StatementOutcome.Replayed, false },
        { "its invoice was made from another statement: refused", 1000, 1001, null, false },
        { "no invoice was made for it: a new statement", null, 1000, StatementOutcome.Created, true },
    };

    [Theory]
    [MemberData(nameof(TrimmedCases))]
    public void A_month_trimmed_from_the_book_is_answered_by_its_invoice(string name, decimal? invoicedMinutes, decimal minutes, StatementOutcome? outcome, bool created)
    {
        var state = new State { TrimmedThrough = "2025-06" };
        var book = new PeriodBook(state);
        Assert.True(book.NeedsInvoiceToAccept("2025-01", Usage(minutes), Nov2));
        Assert.False(book.NeedsInvoiceToAccept("2025-07", Usage(minutes), Nov2));
        var invoiced = invoicedMinutes is { } m ? Draft("2025-01") with { SourceStatement = Usage(m) } : null;

        if (outcome is null)
        {
            Assert.Equal(ProblemKind.Conflict, Assert.Throws<BillingProblemException>(() => book.Accept("2025-01", Usage(minutes), Profile(), Nov2, invoiced)).Kind);
        }
        else
        {
            var answer = book.Accept("2025-01", Usage(minutes), Profile(), Nov2, invoiced).Answer;
            Assert.True(outcome == answer.Outcome, name);
            if (!created)
            {
                Assert.Equal(NotScheduledCode.AlreadyInvoiced, answer.NotScheduled?.Code);
            }
        }

        Assert.Equal(created, book.Find("2025-01") is not null);
    }

    [Fact]
    public void A_hand_over_joins_the_invoice_list_once_and_stays_there_when_its_entry_is_trimmed()
    {
        var (book, state) = WithOctober(PeriodStage.Scheduled);

        book.HandedOver(book.Find("2026-10")!, Utc(2026, 11, 20));
        book.HandedOver(book.Find("2026-10")!, Utc(2026, 11, 20));

        Assert.Equal(["2026-10"], state.InvoicedPeriods);
        state.Periods.Clear();
        Assert.Equal(["2026-10"], state.InvoicedPeriods);
    }

    public static TheoryData<string, PeriodStage, DateTimeOffset, decimal, bool> UnrecordedCases => new()
    {
        // case; October's stage; now; minutes sent; the invoice must be asked first
        { "scheduled and due, other content: it may have been handed over", PeriodStage.Scheduled, Utc(2026, 11, 20), 1200, true },
        { "scheduled and due, same content: a replay either way", PeriodStage.Scheduled, Utc(2026, 11, 20), 1000, false },
        { "scheduled, not yet due: it can't have been", PeriodStage.Scheduled, Utc(2026, 11, 19), 1200, false },
        { "composing: recorded as being handed over", PeriodStage.Composing, Utc(2026, 11, 21), 1200, false },
        { "handed over, other content: its invoice says whether it is void (a revision), open (voided first) or paid", PeriodStage.HandedOver, Utc(2026, 11, 21), 1200, true },
        { "handed over, same content: asked too, as a void invoice makes it a revision", PeriodStage.HandedOver, Utc(2026, 11, 21), 1000, true },
        { "unscheduled: never handed over", PeriodStage.Unscheduled, Utc(2026, 11, 21), 1200, false },
    };

    [Theory]
    [MemberData(nameof(UnrecordedCases))]
    public void A_due_month_may_have_been_handed_over_without_the_record_so_other_content_asks_its_invoice(
        string name, PeriodStage stage, DateTimeOffset now, decimal minutes, bool asks)
    {
        var (book, _) = WithOctober(stage);

        Assert.True(asks == book.NeedsInvoiceToAccept("2026-10", Usage(minutes), now), name);
        Assert.Equal(stage == PeriodStage.Scheduled && now >= Utc(2026, 11, 20), PeriodBook.MayHaveBeenHandedOver(book.Find("2026-10")!, now));
    }

    [Fact]
    public void Other_content_for_a_due_month_whose_invoice_has_its_draft_is_refused_and_without_one_replaces_it()
    {
        var now = Utc(2026, 11, 20, 1);
        var (handedOver, _) = WithOctober(PeriodStage.Scheduled);
        var (notYet, _) = WithOctober(PeriodStage.Scheduled);

        Assert.Equal(ProblemKind.Conflict, Assert.Throws<BillingProblemException>(() => handedOver.Accept("2026-10", Usage(1200), Profile(), now, Draft("2026-10"))).Kind);
        Assert.Equal(1000, handedOver.Find("2026-10")!.Statement.Quantities["minutes_outbound"]);

        var replaced = notYet.Accept("2026-10", Usage(1200), Profile(), now, invoiced: null);
        Assert.Equal((StatementOutcome.Replaced, Utc(2026, 11, 20)), (replaced.Answer.Outcome, replaced.Answer.ScheduledFor));
    }

    [Fact]
    public void The_preview_of_a_due_month_whose_invoice_has_its_draft_shows_that_invoice()
    {
        var (book, _) = WithOctober(PeriodStage.Scheduled);

        Assert.IsType<PreviewPlan.FromInvoice>(book.Preview("2026-10", Profile(), Utc(2026, 11, 20, 1), Draft("2026-10")));
        Assert.IsType<PreviewPlan.Compose>(book.Preview("2026-10", Profile(), Utc(2026, 11, 20, 1), handedOver: null));
        Assert.Equal(["2026-10"], book.MayHaveBeenHandedOver(Utc(2026, 11, 20)).Select(e => e.Period));
        Assert.Empty(book.MayHaveBeenHandedOver(Utc(2026, 11, 19)));
    }

    public static TheoryData<string, InvoiceStatus, decimal, StatementOutcome?, string?> InvoicedCases => new()
    {
        // case; the handed-over October invoice's status; minutes sent; outcome (null: 409); what the 409 points to
        { "void, other content: revision 1, due at once", InvoiceStatus.Void, 1200, StatementOutcome.Revised, null },
        { "void, the same content: revision 1 too (the month is billed again)", InvoiceStatus.Void, 1000, StatementOutcome.Revised, null },
        { "sent, same content: a replay", InvoiceStatus.Sent, 1000, StatementOutcome.Replayed, null },
        { "sent, other content (not voided first): void it", InvoiceStatus.Sent, 1200, null, "/void" },
        { "payment failed, other content: void it", InvoiceStatus.PaymentFailed, 1200, null, "/void" },
        { "paid, other content: credit it", InvoiceStatus.Paid, 1200, null, "/credit" },
        { "paid, same content: a replay", InvoiceStatus.Paid, 1000, StatementOutcome.Replayed, null },
        { "failed, other content: already invoiced", InvoiceStatus.Failed, 1200, null, "already been invoiced" },
    };

    [Theory]
    [MemberData(nameof(InvoicedCases))]
    public void A_statement_for_an_invoiced_month_is_a_revision_once_its_invoice_is_void_and_refused_otherwise(
        string name, InvoiceStatus status, decimal minutes, StatementOutcome? outcome, string? pointsTo)
    {
        var (book, state) = WithOctober(PeriodStage.HandedOver);
        var now = Utc(2026, 12, 3, 9);

        if (outcome is null)
        {
            var refused = Assert.Throws<BillingProblemException>(() => book.Accept("2026-10", Usage(minutes), Profile(), now, Draft("2026-10"), status));
            Assert.Equal(ProblemKind.Conflict, refused.Kind);
            Assert.Contains(pointsTo!, refused.Message, StringComparison.Ordinal);
            Assert.Equal((PeriodStage.HandedOver, 1000m, 0), (book.Find("2026-10")!.Stage, book.Find("2026-10")!.Statement.Quantities["minutes_outbound"], book.Revision("2026-10")));
            return;
        }

        var decision = book.Accept("2026-10", Usage(minutes), Profile(), now, Draft("2026-10"), status);

        Assert.True(outcome == decision.Answer.Outcome, name);
        var entry = book.Find("2026-10")!;
        if (outcome == StatementOutcome.Revised)
        {
            Assert.Equal((true, now, PeriodStage.Scheduled, 1, minutes), (decision.Changed, decision.Answer.ScheduledFor, entry.Stage, entry.Revision, entry.Statement.Quantities["minutes_outbound"]));
            Assert.Equal(1, state.Revisions["2026-10"]);
            Assert.Equal("acct/t1/2026-10-r1", book.InvoiceKey("acct", "t1", "2026-10"));
            Assert.Equal([("acct/t1/2026-10", 0), ("acct/t1/2026-10-r1", 1)], book.InvoiceKeys("acct", "t1", "2026-10"));
        }
        else
        {
            Assert.Equal((false, PeriodStage.HandedOver, 0), (decision.Changed, entry.Stage, entry.Revision));
            Assert.Equal("acct/t1/2026-10", book.InvoiceKey("acct", "t1", "2026-10"));
        }
    }

    [Fact]
    public void A_revision_keeps_its_key_while_pending_and_the_next_void_makes_the_next_revision()
    {
        var (book, state) = WithOctober(PeriodStage.HandedOver);
        var now = Utc(2026, 12, 3, 9);
        book.Accept("2026-10", Usage(1200), Profile(), now, Draft("2026-10"), InvoiceStatus.Void);

        // Not handed over yet: another statement replaces it, under the same key.
        var replaced = book.Accept("2026-10", Usage(1300), Profile(), now.AddMinutes(1));
        Assert.Equal((StatementOutcome.Replaced, 1), (replaced.Answer.Outcome, book.Revision("2026-10")));
        Assert.Equal(1300, book.Find("2026-10")!.Statement.Quantities["minutes_outbound"]);

        book.HandedOver(book.Find("2026-10")!, now.AddMinutes(2));
        Assert.Equal(["2026-10"], state.InvoicedPeriods);
        var revised = book.Accept("2026-10", Usage(1400), Profile(), now.AddDays(1), Draft("2026-10") with { SourceStatement = Usage(1300) }, InvoiceStatus.Void);

        Assert.Equal((StatementOutcome.Revised, 2, "acct/t1/2026-10-r2"), (revised.Answer.Outcome, book.Revision("2026-10"), book.InvoiceKey("acct", "t1", "2026-10")));
        Assert.Equal("acct/t1/2026-10-r2", Assert.Single(book.PendingInvoices("acct", "t1")).InvoiceKey);
    }

    [Fact]
    public void A_revision_of_a_trimmed_month_comes_back_into_the_book_and_one_without_a_profile_waits_for_it()
    {
        var state = new State { TrimmedThrough = "2025-06" };
        state.InvoicedPeriods.Add("2025-01");
        var book = new PeriodBook(state);
        Assert.True(book.NeedsInvoiceToAccept("2025-01", Usage(5), Nov2));

        var revised = book.Accept("2025-01", Usage(5), profile: null, Nov2, Draft("2025-01"), InvoiceStatus.Void);

        Assert.Equal((StatementOutcome.Revised, (DateTimeOffset?)null, NotScheduledCode.NoBillingProfile), (revised.Answer.Outcome, revised.Answer.ScheduledFor, revised.Answer.NotScheduled?.Code));
        Assert.Equal((PeriodStage.Unscheduled, 1), (book.Find("2025-01")!.Stage, book.Find("2025-01")!.Revision));
    }

    [Theory]
    [InlineData(InvoiceStatus.Sent, true)]
    [InlineData(InvoiceStatus.PaymentFailed, true)]
    [InlineData(InvoiceStatus.Uncollectible, true)]
    [InlineData(InvoiceStatus.Paid, false)]
    [InlineData(InvoiceStatus.Void, false)]
    [InlineData(InvoiceStatus.Failed, false)]
    [InlineData(InvoiceStatus.HandedOver, false)]
    public void Other_content_voids_first_only_an_invoice_open_in_Stripe(InvoiceStatus status, bool voidsFirst) =>
        Assert.Equal(voidsFirst, PeriodBook.VoidsFirst(status));

    private static InvoiceDraft Draft(string period) => new(
        GrainKeys.MonthlyInvoice("acct", "t1", period), "acct", "t1", InvoiceKind.Monthly, period, "Usage", Utc(2026, 11, 20),
        [new InvoiceLine("l1", "Outbound minutes", "minutes_outbound", 1000, 0.02m, 20m, TaxCategory.VoipUsage)], [], 20m, 0m, 20m,
        AutoCharge: false, IncludeTaxes: false, UsageTotal: 42m, SourceStatement: Usage(1000));
}
