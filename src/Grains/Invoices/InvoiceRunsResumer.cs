using System.Diagnostics;
using Microsoft.Extensions.Logging;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Invoices;

/// <summary>
/// After this silo starts, every account's invoices in flight (<see cref="IInvoiceRunsGrain"/>) are pinged at
/// once, so an invoice whose run stopped with a process goes on within seconds instead of at the next tick of
/// its account's reminder (up to a retry interval away). Runs in the background once the silo is active, so it
/// never delays the start; a failed round (the cluster still settling) is tried again shortly.
/// </summary>
public sealed partial class InvoiceRunsResumer(IGrainFactory grains, ILogger<InvoiceRunsResumer> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private const int Concurrency = 32;
    private static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(2);

    private readonly CancellationTokenSource stopping = new();
    private Task resuming = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(InvoiceRunsResumer), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose() => stopping.Dispose();

    private Task StartAsync(CancellationToken cancellationToken)
    {
        resuming = Task.Run(() => ResumeAsync(stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await stopping.CancelAsync();
        await resuming.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    private async Task ResumeAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                var accounts = await grains.GetGrain<IAccountDirectoryGrain>(GrainKeys.AccountDirectory).ListAsync();
                var inFlight = 0;
                await Parallel.ForEachAsync(
                    accounts,
                    new ParallelOptions { MaxDegreeOfParallelism = Concurrency, CancellationToken = cancellationToken },
                    async (accountId, _) => Interlocked.Add(ref inFlight, await grains.GetGrain<IInvoiceRunsGrain>(accountId).ResumeAllAsync()));
                LogResumed(logger, accounts.Count, inFlight);
                return;
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested && Stopwatch.GetElapsedTime(started) < GiveUpAfter)
            {
                var error = exception.GetType().Name;
                LogRetrying(logger, error, exception.Message);
            }
            catch (Exception exception) when (!cancellationToken.IsCancellationRequested)
            {
                // The accounts' reminders still bring every invoice back, at their retry interval.
                LogGaveUp(logger, exception);
                return;
            }

            await Task.Delay(RetryAfter, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Silo started: resumed the invoices in flight of {Accounts} account(s); {InFlight} still in flight")]
    private static partial void LogResumed(ILogger logger, int accounts, int inFlight);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming the invoices in flight after start failed ({Error}: {Message}); trying again shortly")]
    private static partial void LogRetrying(ILogger logger, string error, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Resuming the invoices in flight after start failed; the accounts' reminders resume them at their retry interval")]
    private static partial void LogGaveUp(ILogger logger, Exception exception);
}
