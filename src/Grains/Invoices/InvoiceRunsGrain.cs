using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Invoices;

/// <summary>
/// One account's invoices in flight in Stripe: what resumes an invoice whose run stopped with its process. An
/// invoice writes its record at the hand-over and when it is done, not after each Stripe step, and registers no
/// reminder of its own; this record and its one reminder ("invoice-runs", every retry interval while any invoice
/// is in it) are what bring it back, and it then reads Stripe before going on.
/// <para>
/// Entering is durable before <see cref="StartedAsync"/> returns, and entries arriving while a write is under
/// way share the next one, so invoices handed over together cost a few writes; leaving is written with a later
/// write (within seconds, or at once when the last one leaves): an entry left by a lost write only costs a ping of
/// a finished invoice. The reminder is registered before the first entry is written and unregistered after the
/// empty record is.
/// </para>
/// </summary>
[Reentrant]
[GrainType("invoice-runs")]
public sealed partial class InvoiceRunsGrain(
    [PersistentState("invoice-runs", StorageNames.Billing)] IPersistentState<InvoiceRunsState> state,
    IOptions<BillingOptions> options,
    ILogger<InvoiceRunsGrain> logger) : Grain, IInvoiceRunsGrain, IRemindable
{
    public const string Reminder = "invoice-runs";
    private const int PingConcurrency = 64;
    private static readonly TimeSpan LeavingWrittenWithin = TimeSpan.FromSeconds(5);

    /// <summary>Registrations and unregistrations of the reminder, one after another (the grain is reentrant).</summary>
    private Task reminderChanges = Task.CompletedTask;
    private HashSet<string> inFlight = [];

    /// <summary>Entered in memory but not yet in a completed write.</summary>
    private readonly HashSet<string> unwritten = [];

    /// <summary>Left in memory but not yet in a completed write: still stored, and not to be taken back from storage.</summary>
    private readonly HashSet<string> leaving = [];

    private long version;
    private long written;
    private Task? writing;
    private Task? reading;
    private bool armed;
    private IGrainReminder? reminder;
    private IGrainTimer? leavingTimer;
    private bool pinging;

    private string AccountId => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        inFlight = [.. state.State.InFlight];
        armed = inFlight.Count > 0;
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (written < version && reason.ReasonCode != DeactivationReasonCode.ApplicationRequested)
        {
            await PersistAsync(version);
        }
    }

    public async Task StartedAsync(string invoiceKey)
    {
        if (inFlight.Add(invoiceKey))
        {
            leaving.Remove(invoiceKey);
            unwritten.Add(invoiceKey);
            version++;
        }
        else if (!unwritten.Contains(invoiceKey))
        {
            return;
        }

        await ArmAsync();
        await PersistAsync(version);
    }

    public Task FinishedAsync(string invoiceKey)
    {
        if (inFlight.Remove(invoiceKey))
        {
            leaving.Add(invoiceKey);
            version++;
            WriteLeavingSoon();
        }

        return Task.CompletedTask;
    }

    public async Task<int> ResumeAllAsync()
    {
        if (pinging)
        {
            LogStillPinging(logger, AccountId, inFlight.Count);
            return inFlight.Count;
        }

        LogPinging(logger, AccountId, inFlight.Count);

        pinging = true;
        try
        {
            await RefreshAsync();
            foreach (var chunk in inFlight.ToList().Chunk(PingConcurrency))
            {
                await Task.WhenAll(chunk.Select(async invoiceKey =>
                {
                    try
                    {
                        if (await GrainFactory.GetGrain<IStripeInvoiceGrain>(invoiceKey).ContinueAsync())
                        {
                            await FinishedAsync(invoiceKey);
                        }
                    }
                    catch (Exception exception)
                    {
                        LogPingFailed(logger, exception, AccountId, invoiceKey);
                    }
                }));
            }
        }
        finally
        {
            pinging = false;
        }

        return inFlight.Count;
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != Reminder)
        {
            return;
        }

        await RefreshAsync();
        if (inFlight.Count == 0)
        {
            // The reminder ticked, so it exists, whatever this activation assumed.
            armed = true;
            await PersistAsync(version);
            await DisarmAsync();
            return;
        }

        await ResumeAllAsync();
    }

    /// <summary>Writes once <paramref name="needed"/> is stored: a write under way is waited for, and those waiting meanwhile share the next.</summary>
    private async Task PersistAsync(long needed)
    {
        while (written < needed)
        {
            if (reading is { } read)
            {
                await read.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
                continue;
            }

            if (writing is { } running)
            {
                await running;
                continue;
            }

            writing = WriteAsync();
            try
            {
                await writing;
            }
            finally
            {
                writing = null;
            }
        }
    }

    private async Task WriteAsync()
    {
        var writingVersion = version;
        var entered = unwritten.ToList();
        var left = leaving.ToList();
        state.State = new InvoiceRunsState { InFlight = [.. inFlight] };
        await state.WriteStateAsync();
        written = Math.Max(written, writingVersion);
        unwritten.ExceptWith(entered);
        leaving.ExceptWith(left);
        if (inFlight.Count == 0)
        {
            await DisarmAsync();
        }
    }

    /// <summary>
    /// Adds the entries stored that this activation does not hold. While a silo leaves the cluster, a second
    /// activation of this grain can briefly take entries this one never saw; its writes fail on the ETag once this
    /// one writes, but an activation with nothing to write would never learn of them, would not ping those invoices,
    /// and with nothing in memory would unregister the reminder. So before each round of pings (and before
    /// disarming) the stored record is read back and merged, and the reminder registered for what it found; an entry
    /// only in memory is kept and written again.
    /// </summary>
    private async Task RefreshAsync()
    {
        while (writing is { } running)
        {
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
        }

        reading = state.ReadStateAsync();
        try
        {
            await reading;
        }
        finally
        {
            reading = null;
        }

        var stored = state.State.InFlight.ToHashSet(StringComparer.Ordinal);
        var added = stored.Count(key => !leaving.Contains(key) && inFlight.Add(key));
        if (added > 0)
        {
            // Their reminder may be gone with the activation that wrote them: it is registered again if so.
            LogFoundStored(logger, AccountId, added);
            await ArmAsync();
        }

        if (!inFlight.SetEquals(stored.Except(leaving)))
        {
            // Only in memory: written with the next write (entries leaving, or ones the other activation dropped).
            version++;
            WriteLeavingSoon();
        }
    }

    /// <summary>Registers the reminder before the first entry that needs it is written.</summary>
    private async Task ArmAsync()
    {
        // Always in turn: an unregistration under way finishes first, then this registers anew.
        await InTurnAsync(async () =>
        {
            if (!armed)
            {
                reminder = await this.RegisterOrUpdateReminder(Reminder, options.Value.RetryInterval, options.Value.RetryInterval);
                armed = true;
            }
        });
    }

    /// <summary>Unregisters the reminder once the empty record is written (and nothing entered meanwhile).</summary>
    private async Task DisarmAsync()
    {
        await InTurnAsync(async () =>
        {
            if (inFlight.Count == 0 && written == version && armed)
            {
                if ((reminder ?? await this.GetReminder(Reminder)) is { } registered)
                {
                    await this.UnregisterReminder(registered);
                }

                reminder = null;
                armed = false;
            }
        });
    }

    /// <summary>Runs <paramref name="change"/> after every reminder change started before it (a failed one does not stop the next).</summary>
    private Task InTurnAsync(Func<Task> change)
    {
        var previous = reminderChanges;
        var next = RunAfterAsync(previous, change);
        reminderChanges = next;
        return next;

        static async Task RunAfterAsync(Task previous, Func<Task> change)
        {
            try
            {
                await previous;
            }
            catch (Exception)
            {
                // Reported to the caller that started it.
            }

            await change();
        }
    }

    /// <summary>Leaving is written within a few seconds, or at once when the record became empty.</summary>
    private void WriteLeavingSoon()
    {
        if (inFlight.Count == 0)
        {
            leavingTimer?.Dispose();
            leavingTimer = null;
            _ = WriteNowAsync();
            return;
        }

        leavingTimer ??= this.RegisterGrainTimer(
            async _ =>
            {
                leavingTimer?.Dispose();
                leavingTimer = null;
                await WriteNowAsync();
            },
            new GrainTimerCreationOptions(LeavingWrittenWithin, Timeout.InfiniteTimeSpan) { Interleave = true });
    }

    private async Task WriteNowAsync()
    {
        try
        {
            await PersistAsync(version);
        }
        catch (Exception exception)
        {
            // The entries stay; a finished invoice pinged later leaves again.
            LogWriteFailed(logger, exception, AccountId);
            Hosting.DropActivationOnFailure.Drop(GrainContext, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoices in flight of account {AccountId}: pinging invoice {InvoiceKey} failed; the next reminder tick pings it again")]
    private static partial void LogPingFailed(ILogger logger, Exception exception, string accountId, string invoiceKey);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoices in flight of account {AccountId}: {Count} stored entries this activation did not hold (another activation took them while a silo left); they are pinged now")]
    private static partial void LogFoundStored(ILogger logger, string accountId, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Invoices in flight of account {AccountId}: pinging {Count}")]
    private static partial void LogPinging(ILogger logger, string accountId, int count);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Invoices in flight of account {AccountId}: the last round of pings is still under way ({Count} in flight)")]
    private static partial void LogStillPinging(ILogger logger, string accountId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Invoices in flight of account {AccountId}: writing the record failed")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception, string accountId);
}
