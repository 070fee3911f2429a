using TenantBilling.Grains.Domain.BillRuns;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.BillRuns;

public sealed class BillRunBookTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static BillRunReport Report(string tenant, InvoiceStatus status, string? reason = null) => new(tenant, "2026-10", status, reason);

    public static TheoryData<InvoiceStatus, BillRunStage> Stages => new()
    {
        { InvoiceStatus.Composing, BillRunStage.Composing },
        { InvoiceStatus.WaitingForTaxes, BillRunStage.WaitingForTaxes },
        { InvoiceStatus.Held, BillRunStage.Held },
        { InvoiceStatus.HandedOver, BillRunStage.InStripe },
        { InvoiceStatus.Sent, BillRunStage.Sent },
        { InvoiceStatus.Paid, BillRunStage.Sent },
        { InvoiceStatus.Void, BillRunStage.Sent },
        { InvoiceStatus.Uncollectible, BillRunStage.Sent },
        { InvoiceStatus.Failed, BillRunStage.Failed },
        { InvoiceStatus.PaymentFailed, BillRunStage.Failed },
        { InvoiceStatus.NothingToBill, BillRunStage.NothingToBill },
    };

    [Theory]
    [MemberData(nameof(Stages))]
    public void Each_status_counts_in_one_stage(InvoiceStatus status, BillRunStage stage) => Assert.Equal(stage, BillRunBook.StageOf(status));

    [Fact]
    public void Every_invoice_status_has_a_stage() =>
        Assert.All(Enum.GetValues<InvoiceStatus>(), s => Assert.True(Enum.IsDefined(BillRunBook.StageOf(s))));

    [Fact]
    public void The_last_report_of_an_invoice_counts_and_a_repeat_changes_nothing()
    {
        var state = new BillRunState();
        var book = new BillRunBook(state);

        Assert.Equal((null, BillRunStage.Composing), book.Apply(Report("a", InvoiceStatus.Composing), Start));
        Assert.Equal((BillRunStage.Composing, BillRunStage.InStripe), book.Apply(Report("a", InvoiceStatus.HandedOver), Start));
        Assert.Null(book.Apply(Report("a", InvoiceStatus.HandedOver), Start.AddSeconds(1)));
        book.Apply(Report("b", InvoiceStatus.Composing), Start);
        book.Apply(Report("b", InvoiceStatus.WaitingForTaxes, "The tax provider failed: timeout"), Start);
        book.Apply(Report("c", InvoiceStatus.Held), Start);
        book.Apply(Report("d", InvoiceStatus.NothingToBill), Start);

        Assert.Equal(new BillRunCounts(0, 1, 1, 1, 0, 0, 1), book.Counts());
        Assert.Equal(4, book.Counts().Due);
        Assert.Equal(3, book.Counts().Open);
        Assert.Equal(1, book.Counts().Moving);
    }

    [Fact]
    public void A_send_is_counted_in_the_minute_it_is_seen_once_and_again_after_a_retry()
    {
        var state = new BillRunState();
        var book = new BillRunBook(state);
        book.Apply(Report("a", InvoiceStatus.HandedOver), Start);
        book.Apply(Report("a", InvoiceStatus.Sent), Start.AddSeconds(30));
        book.Apply(Report("a", InvoiceStatus.Paid), Start.AddMinutes(3));
        book.Apply(Report("b", InvoiceStatus.Failed, "Invalid API Key provided"), Start.AddMinutes(1));
        book.Apply(Report("b", InvoiceStatus.HandedOver), Start.AddMinutes(2));
        book.Apply(Report("b", InvoiceStatus.Sent), Start.AddMinutes(2).AddSeconds(5));

        var view = book.View("2026-11-20", "acct", Start.AddMinutes(3));

        Assert.Equal([new BillRunMinute(Start, 1), new BillRunMinute(Start.AddMinutes(2), 1)], view.SentOverTime);
        Assert.Equal(2, view.Counts.Sent);
        Assert.Empty(view.Failures);
        Assert.Equal(Start.AddMinutes(2).AddSeconds(5), view.FinishedAt);
    }

    [Fact]
    public void Failures_are_listed_newest_first_with_their_reasons()
    {
        var book = new BillRunBook(new BillRunState());
        book.Apply(Report("old", InvoiceStatus.Failed, "Invalid API Key provided"), Start);
        book.Apply(Report("new", InvoiceStatus.PaymentFailed, "Your card was declined."), Start.AddMinutes(5));
        book.Apply(Report("open", InvoiceStatus.HandedOver), Start);

        var view = book.View("2026-11-20", "acct", Start.AddMinutes(6));

        Assert.Equal(
            [
                new BillRunFailure("acct", "new", "2026-10", InvoiceStatus.PaymentFailed, "Your card was declined.", Start.AddMinutes(5)),
                new BillRunFailure("acct", "old", "2026-10", InvoiceStatus.Failed, "Invalid API Key provided", Start),
            ],
            view.Failures);
        Assert.Null(view.FinishedAt);
    }

    [Fact]
    public void Open_invoices_not_heard_from_lately_are_stale()
    {
        var book = new BillRunBook(new BillRunState());
        book.Apply(Report("quiet", InvoiceStatus.HandedOver), Start);
        book.Apply(Report("recent", InvoiceStatus.HandedOver), Start.AddMinutes(9));
        book.Apply(Report("done", InvoiceStatus.Sent), Start);

        Assert.Equal([("quiet", "2026-10")], book.Stale(Start.AddMinutes(11), TimeSpan.FromMinutes(10)));
    }
}

public sealed class BillRunPaceTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static BillRunMinute Sent(int minute, int count) => new(Start.AddMinutes(minute), count);

    [Fact]
    public void The_pace_is_the_last_ten_minutes_sends_per_minute()
    {
        // Minutes 0..19, 6 a minute; now in minute 19: the window is minutes 10..19.
        var sent = Enumerable.Range(0, 20).Select(m => Sent(m, m < 10 ? 100 : 6)).ToList();

        Assert.Equal(6, BillRunPace.SentPerMinute(sent, Start.AddMinutes(19).AddSeconds(30)));
    }

    [Fact]
    public void A_run_younger_than_the_window_is_paced_since_its_first_send()
    {
        Assert.Equal(15, BillRunPace.SentPerMinute([Sent(0, 10), Sent(1, 20)], Start.AddMinutes(1).AddSeconds(10)));
        Assert.Equal(10, BillRunPace.SentPerMinute([Sent(0, 10), Sent(1, 20)], Start.AddMinutes(2)));
    }

    [Fact]
    public void Nothing_sent_lately_is_no_pace_and_no_estimate()
    {
        Assert.Equal(0, BillRunPace.SentPerMinute([Sent(0, 50)], Start.AddMinutes(30)));
        Assert.Null(BillRunPace.EstimatedEnd(100, 0, Start));
        Assert.Null(BillRunPace.EstimatedEnd(0, 12, Start));
    }

    [Fact]
    public void The_end_is_the_moving_invoices_at_the_pace() =>
        Assert.Equal(Start.AddMinutes(25), BillRunPace.EstimatedEnd(100, 4, Start));

    [Fact]
    public void A_day_sums_its_accounts_and_ends_with_its_last_account()
    {
        var now = Start.AddMinutes(5);
        BillRunView Account(string id, BillRunCounts counts, double rate, DateTimeOffset? end, DateTimeOffset? finished, params BillRunMinute[] sent) =>
            new("2026-11-20", id, counts, rate, end, finished, sent, [], [], now);
        var fast = Account("fast", new BillRunCounts(0, 0, 0, 10, 90, 0, 0), 20, now.AddMinutes(0.5), null, Sent(1, 40), Sent(2, 50));
        var slow = Account("slow", new BillRunCounts(0, 0, 2, 30, 10, 1, 0), 3, now.AddMinutes(10), null, Sent(2, 4), Sent(3, 6));
        var done = Account("done", new BillRunCounts(0, 0, 0, 0, 5, 0, 1), 0, null, Start.AddMinutes(1), Sent(0, 5));

        var day = BillRunPace.Combine("2026-11-20", [slow, fast, done], now);

        Assert.Equal(new BillRunCounts(0, 0, 2, 40, 105, 1, 1), day.Counts);
        Assert.Equal(23, day.SentPerMinute);
        Assert.Equal(now.AddMinutes(10), day.EstimatedEnd);
        Assert.Null(day.FinishedAt);
        Assert.Equal([Sent(0, 5), Sent(1, 40), Sent(2, 54), Sent(3, 6)], day.SentOverTime);
        Assert.Equal(["done", "fast", "slow"], day.Accounts.Select(a => a.AccountId));

        var stalled = Account("stalled", new BillRunCounts(3, 0, 0, 0, 0, 0, 0), 0, null, null);
        Assert.Null(BillRunPace.Combine("2026-11-20", [fast, stalled], now).EstimatedEnd);
        Assert.Equal(Start.AddMinutes(1), BillRunPace.Combine("2026-11-20", [done], now).FinishedAt);
    }
}
