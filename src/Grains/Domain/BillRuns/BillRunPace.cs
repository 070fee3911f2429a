using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.BillRuns;

/// <summary>
/// How fast a bill run goes and when it ends. The pace is the invoices sent per minute over the last
/// <see cref="Window"/> (or since the first send, when that is more recent), counted in whole minutes including
/// the current one; the end is now plus the invoices still moving (composing or in Stripe) at that pace. A day's
/// accounts run side by side (each has its own Stripe and its own request pace), so the day's pace is their sum and
/// the day ends when its last account does.
/// </summary>
public static class BillRunPace
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(10);

    public static double SentPerMinute(IReadOnlyList<BillRunMinute> sent, DateTimeOffset now)
    {
        var current = BillRunBook.MinuteOf(now);
        var windowStart = current - (long)Window.TotalMinutes + 1;
        var recent = sent.Where(m => BillRunBook.MinuteOf(m.Minute) >= windowStart && BillRunBook.MinuteOf(m.Minute) <= current).ToList();
        if (recent.Count == 0)
        {
            return 0;
        }

        var first = recent.Min(m => BillRunBook.MinuteOf(m.Minute));
        var minutes = current - Math.Max(windowStart, first) + 1;
        return Math.Round(recent.Sum(m => m.Sent) / (double)minutes, 2);
    }

    /// <summary>When <paramref name="moving"/> invoices are done at <paramref name="perMinute"/>; null when none moves or the pace is nil.</summary>
    public static DateTimeOffset? EstimatedEnd(int moving, double perMinute, DateTimeOffset now) =>
        moving == 0 || perMinute <= 0 ? null : now + TimeSpan.FromMinutes(moving / perMinute);

    /// <summary>
    /// A billing day's run from its accounts' runs: counts and pace summed, sends merged per minute, failures newest
    /// first (at most <paramref name="failuresListed"/>), the estimate the latest account's (none while an account has
    /// invoices moving without an estimate), finished when every account is.
    /// </summary>
    public static BillRunView Combine(string date, IReadOnlyList<BillRunView> accounts, DateTimeOffset now, int failuresListed = BillRunBook.FailuresListed)
    {
        var counts = accounts.Aggregate(BillRunCounts.None, (sum, a) => sum.Plus(a.Counts));
        var sent = accounts.SelectMany(a => a.SentOverTime).GroupBy(m => m.Minute).OrderBy(g => g.Key)
            .Select(g => new BillRunMinute(g.Key, g.Sum(m => m.Sent))).ToList();
        var rate = Math.Round(accounts.Sum(a => a.SentPerMinute), 2);
        var moving = accounts.Where(a => a.Counts.Moving > 0).ToList();
        DateTimeOffset? end = moving.Count == 0 || moving.Exists(a => a.EstimatedEnd is null) ? null : moving.Max(a => a.EstimatedEnd);
        var finished = counts.Due > 0 && counts.Open == 0 ? accounts.Max(a => a.FinishedAt) : null;
        var failures = accounts.SelectMany(a => a.Failures)
            .OrderByDescending(f => f.At).ThenBy(f => f.AccountId, StringComparer.Ordinal).ThenBy(f => f.TenantId, StringComparer.Ordinal)
            .Take(failuresListed).ToList();
        return new BillRunView(date, null, counts, rate, end, finished, sent, failures, accounts.OrderBy(a => a.AccountId, StringComparer.Ordinal).ToList(), now);
    }
}
