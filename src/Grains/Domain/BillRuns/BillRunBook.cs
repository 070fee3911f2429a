using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.BillRuns;

/// <summary>
/// The rules of one account's bill run over its <see cref="BillRunState"/>: which stage a status counts in, what a
/// report changes (the last report of an invoice wins; entering Sent counts a send in the minute it is seen), and
/// the view (counts, pace, estimate, failures).
/// </summary>
public sealed class BillRunBook(BillRunState state)
{
    /// <summary>Failures listed per account, newest first (the counts have them all).</summary>
    public const int FailuresListed = 200;

    public static BillRunStage StageOf(InvoiceStatus status) => status switch
    {
        InvoiceStatus.Scheduled or InvoiceStatus.Composing => BillRunStage.Composing,
        InvoiceStatus.WaitingForTaxes => BillRunStage.WaitingForTaxes,
        InvoiceStatus.Held => BillRunStage.Held,
        InvoiceStatus.HandedOver => BillRunStage.InStripe,
        InvoiceStatus.Failed or InvoiceStatus.PaymentFailed => BillRunStage.Failed,
        InvoiceStatus.NothingToBill => BillRunStage.NothingToBill,
        _ => BillRunStage.Sent,
    };

    public static bool IsOpen(BillRunStage stage) => stage is BillRunStage.Composing or BillRunStage.WaitingForTaxes or BillRunStage.Held or BillRunStage.InStripe;

    /// <summary>Applies a report seen at <paramref name="now"/>; the stage it left and entered, or null when it changed nothing.</summary>
    public (BillRunStage? From, BillRunStage To)? Apply(BillRunReport report, DateTimeOffset now)
    {
        var key = $"{report.TenantId}/{report.Period}";
        var stage = StageOf(report.Status);
        var reason = stage is BillRunStage.Failed or BillRunStage.WaitingForTaxes ? report.Reason : null;
        BillRunStage? from = null;
        if (state.Invoices.TryGetValue(key, out var entry))
        {
            if (entry.Status == report.Status && entry.Reason == reason)
            {
                return null;
            }

            from = entry.Stage;
        }
        else
        {
            entry = new BillRunEntry();
            state.Invoices[key] = entry;
        }

        entry.Status = report.Status;
        entry.Stage = stage;
        entry.Reason = reason;
        entry.At = now;
        if (from != stage && !IsOpen(stage))
        {
            state.LastFinishedAt = now;
            if (stage == BillRunStage.Sent)
            {
                var minute = MinuteOf(now);
                state.SentPerMinute[minute] = state.SentPerMinute.GetValueOrDefault(minute) + 1;
            }
        }

        return (from, stage);
    }

    public BillRunCounts Counts()
    {
        Span<int> counts = stackalloc int[7];
        foreach (var entry in state.Invoices.Values)
        {
            counts[(int)entry.Stage]++;
        }

        return new BillRunCounts(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6]);
    }

    /// <summary>Open invoices whose last report is older than <paramref name="staleAfter"/>: worth asking their invoice.</summary>
    public IReadOnlyList<(string TenantId, string Period)> Stale(DateTimeOffset now, TimeSpan staleAfter) =>
        state.Invoices.Where(p => IsOpen(p.Value.Stage) && now - p.Value.At > staleAfter)
            .Select(p => Split(p.Key))
            .ToList();

    public BillRunView View(string date, string accountId, DateTimeOffset now)
    {
        var counts = Counts();
        var sent = state.SentPerMinute.OrderBy(p => p.Key).Select(p => new BillRunMinute(FromMinute(p.Key), p.Value)).ToList();
        var rate = BillRunPace.SentPerMinute(sent, now);
        var failures = state.Invoices.Where(p => p.Value.Stage == BillRunStage.Failed)
            .OrderByDescending(p => p.Value.At).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Take(FailuresListed)
            .Select(p =>
            {
                var (tenantId, period) = Split(p.Key);
                return new BillRunFailure(accountId, tenantId, period, p.Value.Status, p.Value.Reason ?? "No reason was given.", p.Value.At);
            })
            .ToList();
        return new BillRunView(
            date, accountId, counts, rate, BillRunPace.EstimatedEnd(counts.Moving, rate, now),
            counts.Open == 0 && counts.Due > 0 ? state.LastFinishedAt : null, sent, failures, [], now);
    }

    public static long MinuteOf(DateTimeOffset instant) => instant.ToUnixTimeSeconds() / 60;

    public static DateTimeOffset FromMinute(long minute) => DateTimeOffset.FromUnixTimeSeconds(minute * 60);

    private static (string TenantId, string Period) Split(string key)
    {
        var slash = key.LastIndexOf('/');
        return (key[..slash], key[(slash + 1)..]);
    }
}
