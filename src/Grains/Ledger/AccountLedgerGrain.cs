using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TenantBilling.Grains.Domain.Reports;
using TenantBilling.Grains.Domain.Schedule;
using Orleans.Concurrency;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Telemetry;

namespace TenantBilling.Grains.Ledger;

/// <summary>
/// One account's month: the phantom-tenant fees charged and the taxes of the invoices finalized, each recorded
/// once per invoice key. Records go to pages (<see cref="IAccountLedgerPageGrain"/>) of at most
/// <see cref="PageSize"/> records, filled in order, so recording one rewrites one small page however full the
/// month is; records that arrive while a page is being written go out together in the next write. The month
/// knows which invoices it holds from reading its pages when it activates. Fees are append-only: no method
/// changes or removes one. What earlier versions recorded in the month's own state stays there and is listed first.
/// </summary>
[GrainType("account-ledger")]
[Reentrant]   // so that records arriving during a write join the next one; every await below leaves the sets consistent
public sealed partial class AccountLedgerGrain(
    [PersistentState("account-ledger", StorageNames.Billing)] IPersistentState<AccountLedgerState> state,
    BillingMetrics metrics,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time,
    ILogger<AccountLedgerGrain> logger) : Grain, IAccountLedgerGrain
{
    /// <summary>Records per page: an Austin invoice's tax entry is about 1 KB, so a page stays under about 16 KB.</summary>
    internal const int PageSize = 16;

    private const int PagesReadAtOnce = 32;
    private const int LegacyPage = -1;

    /// <summary>Invoice keys with a recorded fee.</summary>
    private readonly HashSet<string> _fees = new(StringComparer.Ordinal);

    /// <summary>Invoice keys with recorded taxes, and the page holding them (<see cref="LegacyPage"/>: the month's own state).</summary>
    private readonly Dictionary<string, int> _taxes = new(StringComparer.Ordinal);

    /// <summary>Records waiting for the next page write, and the task each caller waits on (also for a repeat meanwhile).</summary>
    private readonly List<Waiting> _queue = [];
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

    /// <summary>The last write of the month's own state (voids of what earlier versions recorded there), so those writes go one after another.</summary>
    private Task _monthWrite = Task.CompletedTask;

    /// <summary>Pages holding records; the last one holds <see cref="_onLastPage"/>.</summary>
    private int _pages;
    private int _onLastPage;

    /// <summary>A writer (<see cref="WritePagesAsync"/>) is at work; it goes on until the queue is empty.</summary>
    private bool _writing;

    private string LedgerKey => this.GetPrimaryKeyString();

    private string AccountId => LedgerKey[..LedgerKey.LastIndexOf('/')];

    private BillingPeriod Month => BillingPeriod.Parse(LedgerKey[(LedgerKey.LastIndexOf('/') + 1)..]);

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _fees.UnionWith(state.State.Fees.Select(f => f.InvoiceKey));
        foreach (var entry in state.State.Taxes)
        {
            _taxes[entry.RecordKey] = LegacyPage;
        }

        // Pages are filled in order, so the first empty one ends the month: read one, then a batch at a time.
        var first = 0;
        for (var batch = 1; ; first += batch, batch = PagesReadAtOnce)
        {
            var pages = await Task.WhenAll(Enumerable.Range(first, batch).Select(p => Page(p).ReadAsync()));
            var filled = pages.TakeWhile(p => p.Count > 0).ToList();
            for (var i = 0; i < filled.Count; i++)
            {
                _fees.UnionWith(filled[i].Fees.Select(f => f.InvoiceKey));
                foreach (var entry in filled[i].Taxes)
                {
                    _taxes[entry.RecordKey] = first + i;
                }
            }

            if (filled.Count > 0)
            {
                _pages = first + filled.Count;
                _onLastPage = filled[^1].Count;
            }

            if (filled.Count < batch)
            {
                break;
            }
        }

        await base.OnActivateAsync(cancellationToken);
    }

    public async Task RecordPhantomFeeAsync(PhantomFee fee)
    {
        if (await RecordAsync($"fee:{fee.InvoiceKey}", _fees.Contains(fee.InvoiceKey), new Waiting(fee, null)))
        {
            metrics.PhantomFeeRecorded();
        }
    }

    public async Task RecordTaxesAsync(TaxReportEntry entry) =>
        await RecordAsync($"taxes:{entry.RecordKey}", _taxes.ContainsKey(entry.RecordKey), new Waiting(null, entry));

    public async Task RecordTaxAdjustmentAsync(TaxReportEntry adjustment)
    {
        if (adjustment.Adjustment is null)
        {
            throw new ArgumentException("An adjustment names what it adjusts.", nameof(adjustment));
        }

        await RecordTaxesAsync(adjustment);
    }

    public async Task VoidTaxesAsync(string invoiceKey)
    {
        if (_inFlight.TryGetValue($"taxes:{invoiceKey}", out var recording))
        {
            await recording;
        }

        if (!_taxes.TryGetValue(invoiceKey, out var page))
        {
            return;
        }

        var now = time.GetUtcNow();
        if (TaxAdjustments.MonthClosed(Month, now))
        {
            // The month's report may have been remitted: it stays as it is, and the void goes into the month it happened in.
            var entry = page == LegacyPage
                ? state.State.Taxes.First(t => t.RecordKey == invoiceKey)
                : (await Page(page).ReadAsync()).Taxes.First(t => t.RecordKey == invoiceKey);
            if (!entry.Voided)
            {
                var voided = TaxAdjustments.Void(entry, now);
                await GrainFactory.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(AccountId, BillingPeriod.Of(now).ToString())).RecordTaxAdjustmentAsync(voided);
            }

            return;
        }

        if (page != LegacyPage)
        {
            await Page(page).VoidTaxesAsync(invoiceKey);
            return;
        }

        _monthWrite = VoidInMonthAsync(invoiceKey, _monthWrite);
        await _monthWrite;
    }

    private async Task VoidInMonthAsync(string invoiceKey, Task previous)
    {
        await previous.ContinueWith(_ => { }, TaskScheduler.Current);
        var index = state.State.Taxes.FindIndex(t => t.InvoiceKey == invoiceKey && t.Adjustment is null);
        if (!state.State.Taxes[index].Voided)
        {
            state.State.Taxes[index] = state.State.Taxes[index] with { Voided = true };
            await state.WriteStateAsync();
        }
    }

    public async Task<IReadOnlyList<PhantomFee>> ListFeesAsync() =>
        [.. state.State.Fees, .. (await ReadPagesAsync()).SelectMany(p => p.Fees)];

    public async Task<IReadOnlyList<TaxReportEntry>> ListTaxesAsync() =>
        [.. state.State.Taxes, .. (await ReadPagesAsync()).SelectMany(p => p.Taxes)];

    /// <summary>Queues a record unless it is held or under way already; true when this call recorded it.</summary>
    private async Task<bool> RecordAsync(string key, bool recorded, Waiting record)
    {
        if (recorded)
        {
            return false;
        }

        if (_inFlight.TryGetValue(key, out var underWay))
        {
            await underWay;
            return false;
        }

        _queue.Add(record);
        _inFlight[key] = record.Done.Task;
        if (!_writing)
        {
            // Marked before it starts: the writer can finish inside this call (a page's answer that arrived before its
            // await looked continues at once), and a mark set after it would then say a writer is at work forever.
            _writing = true;
            _ = WritePagesAsync();
        }

        await record.Done.Task;
        return true;
    }

    /// <summary>Writes the queue, a page at a time, until it is empty.</summary>
    private async Task WritePagesAsync()
    {
        try
        {
            while (_queue.Count > 0)
            {
                if (_pages == 0 || _onLastPage >= PageSize)
                {
                    _pages++;
                    _onLastPage = 0;
                }

                var page = _pages - 1;
                var batch = _queue.Take(PageSize - _onLastPage).ToList();
                _queue.RemoveRange(0, batch.Count);
                try
                {
                    await Page(page).AppendAsync(
                        [.. batch.Select(w => w.Fee).OfType<PhantomFee>()], [.. batch.Select(w => w.Taxes).OfType<TaxReportEntry>()]);
                }
                catch (Exception exception)
                {
                    // A timeout is not proof the page was not written: start again from storage.
                    LogPageWriteFailed(logger, exception, LedgerKey, page);
                    foreach (var failed in batch.Concat(_queue))
                    {
                        _inFlight.Remove(failed.Key);
                        failed.Done.TrySetException(exception);
                    }

                    _queue.Clear();
                    Hosting.DropActivationOnFailure.Drop(GrainContext, exception);
                    return;
                }

                _onLastPage += batch.Count;
                foreach (var written in batch)
                {
                    if (written.Fee is { } fee)
                    {
                        _fees.Add(fee.InvoiceKey);
                    }
                    else
                    {
                        _taxes[written.Taxes!.RecordKey] = page;
                    }

                    _inFlight.Remove(written.Key);
                    written.Done.TrySetResult();
                }
            }
        }
        finally
        {
            _writing = false;
        }
    }

    private async Task<LedgerPage[]> ReadPagesAsync()
    {
        var pages = new List<LedgerPage>();
        for (var first = 0; first < _pages; first += PagesReadAtOnce)
        {
            pages.AddRange(await Task.WhenAll(Enumerable.Range(first, Math.Min(PagesReadAtOnce, _pages - first)).Select(p => Page(p).ReadAsync())));
        }

        return [.. pages];
    }

    private IAccountLedgerPageGrain Page(int page) => GrainFactory.GetGrain<IAccountLedgerPageGrain>(GrainKeys.AccountLedgerPage(LedgerKey, page));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ledger {LedgerKey}: writing page {Page} failed; its records are retried by their invoices")]
    private static partial void LogPageWriteFailed(ILogger logger, Exception exception, string ledgerKey, int page);

    /// <summary>A record waiting for its page write.</summary>
    private sealed class Waiting(PhantomFee? fee, TaxReportEntry? taxes)
    {
        public PhantomFee? Fee { get; } = fee;

        public TaxReportEntry? Taxes { get; } = taxes;

        public string Key { get; } = fee is not null ? $"fee:{fee.InvoiceKey}" : $"taxes:{taxes!.RecordKey}";

        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
