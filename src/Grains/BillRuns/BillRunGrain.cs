using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TenantBilling.Grains.Domain.BillRuns;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Telemetry;

namespace TenantBilling.Grains.BillRuns;

/// <summary>
/// One account's bill run for one billing day (<see cref="BillRunBook"/> holds the rules). Tenants report an invoice
/// when they start composing it or it waits for taxes; invoices report each status a call leaves them at. Reports
/// change memory at once and are written behind, at most once per <see cref="FlushDelay"/> (reports arriving during
/// a write go out together), and on deactivation; so a silo lost mid-run can lose the last moment's reports, which
/// the invoices' next reports and the stale check repair. While invoices are open the run stays active: it publishes
/// its counts to this silo's gauges and, every <see cref="CheckPeriod"/>, asks invoices it has not heard from for
/// <see cref="StaleAfter"/> where they stand.
/// </summary>
[GrainType("bill-run")]
public sealed partial class BillRunGrain(
    [PersistentState("bill-run", StorageNames.Billing)] IPersistentState<BillRunState> state,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time,
    IOptions<BillingOptions> options,
    ILogger<BillRunGrain> logger) : Grain, IBillRunGrain
{
    /// <summary>
    /// The run's state holds an entry per invoice of the day (an account with 10,000 tenants writes about a megabyte),
    /// so it is written at most every few seconds: an account's 100 invoices sent within a minute cost about a dozen rows.
    /// </summary>
    public static readonly TimeSpan FlushDelay = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan CheckPeriod = TimeSpan.FromMinutes(1);

    private const int CheckConcurrency = 32;

    private IGrainTimer? _flush;
    private IGrainTimer? _check;
    private bool _dirty;

    private BillRunBook Book => new(state.State);

    private string Key => this.GetPrimaryKeyString();

    private string AccountId => GrainKeys.ParseBillRun(Key).AccountId;

    private string Day => GrainKeys.ParseBillRun(Key).BillingDay;

    private TimeSpan StaleAfter => 2 * options.Value.RetryInterval;

    private BillRunMetrics? Metrics => ServiceProvider.GetService<BillRunMetrics>();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Changed();
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Metrics?.Withdraw(Key);
        if (_dirty)
        {
            try
            {
                await state.WriteStateAsync(cancellationToken);
            }
            catch (Exception exception)
            {
                LogWriteFailed(logger, exception, Key);
            }
        }
    }

    public async Task ReportAsync(BillRunReport report)
    {
        if (!state.State.ListedForDay)
        {
            await GrainFactory.GetGrain<IBillRunDayGrain>(GrainKeys.BillRunDay(Day)).AddAccountAsync(AccountId);
            state.State.ListedForDay = true;
            _dirty = true;
        }

        if (Book.Apply(report, time.GetUtcNow()) is not null)
        {
            _dirty = true;
            Changed();
        }

        if (_dirty)
        {
            _flush ??= this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(FlushDelay, Timeout.InfiniteTimeSpan));
        }
    }

    public Task<BillRunView> GetAsync() => Task.FromResult(Book.View(Day, AccountId, time.GetUtcNow()));

    /// <summary>Publishes the counts; keeps the run active (and checking) while invoices are open, lets it go when none is.</summary>
    private void Changed()
    {
        var counts = Book.Counts();
        Metrics?.Publish(Key, counts);
        if (counts.Open > 0)
        {
            _check ??= this.RegisterGrainTimer(CheckStaleAsync, new GrainTimerCreationOptions(CheckPeriod, CheckPeriod) { KeepAlive = true });
        }
        else
        {
            _check?.Dispose();
            _check = null;
        }
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        // The timer that fired is disposed only after the write: disposing it cancels this very callback's token.
        var fired = _flush;
        _flush = null;
        try
        {
            if (!_dirty)
            {
                return;
            }

            _dirty = false;
            try
            {
                await state.WriteStateAsync(cancellationToken);
            }
            catch (Exception exception)
            {
                // Kept in memory and written again in a moment; the counts answered meanwhile are the memory's.
                LogWriteFailed(logger, exception, Key);
                _dirty = true;
                _flush ??= this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(FlushDelay, Timeout.InfiniteTimeSpan));
            }
        }
        finally
        {
            fired?.Dispose();
        }
    }

    /// <summary>Asks the invoices of open entries not heard from lately where they stand (a report lost with a silo, say).</summary>
    private async Task CheckStaleAsync(CancellationToken cancellationToken)
    {
        var stale = Book.Stale(time.GetUtcNow(), StaleAfter);
        foreach (var chunk in stale.Chunk(CheckConcurrency))
        {
            var summaries = await Task.WhenAll(chunk.Select(async invoice =>
            {
                try
                {
                    return await GrainFactory.GetGrain<IStripeInvoiceGrain>(GrainKeys.MonthlyInvoice(AccountId, invoice.TenantId, invoice.Period)).GetSummaryAsync();
                }
                catch (Exception exception)
                {
                    LogCheckFailed(logger, exception, Key, invoice.TenantId);
                    return null;
                }
            }));
            foreach (var (invoice, summary) in chunk.Zip(summaries))
            {
                if (summary is not null && Book.Apply(new BillRunReport(invoice.TenantId, invoice.Period, summary.Status, summary.FailureReason), time.GetUtcNow()) is not null)
                {
                    _dirty = true;
                }
            }
        }

        Changed();
        if (_dirty)
        {
            _flush ??= this.RegisterGrainTimer(FlushAsync, new GrainTimerCreationOptions(FlushDelay, Timeout.InfiniteTimeSpan));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bill run {BillRunKey}: writing its state failed; it is written again in a moment")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string billRunKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bill run {BillRunKey}: asking the invoice of tenant {TenantId} where it stands failed")]
    private static partial void LogCheckFailed(ILogger logger, Exception exception, string billRunKey, string tenantId);
}
