using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Tenants;

/// <summary>
/// One account's alarm for one instant: one reminder ("wake-tenants") however many tenants set it. When it goes
/// off it wakes the tenants that set it in this activation, or, when this activation can't know them all (it
/// started after the reminder was registered: a restart, or the weeks until a billing day), every tenant of the
/// account; each hands over what its own state says is due. The reminder is unregistered only after every
/// tenant woken has answered, so a failure or a stop mid-way wakes them again one period later.
/// Stateless: the reminder is its whole record.
/// </summary>
[GrainType("billing-alarm")]
public sealed partial class BillingAlarmGrain(
    [FromKeyedServices(BillingClock.Key)] TimeProvider time,
    IOptions<BillingOptions> options,
    ILogger<BillingAlarmGrain> logger) : Grain, IBillingAlarmGrain, IRemindable
{
    private const string Reminder = "wake-tenants";
    private const int WakeConcurrency = 64;
    private const int PageSize = 500;

    /// <summary>Completes once this activation knows the reminder is registered.</summary>
    private Task? _arming;

    /// <summary>An unregistration under way: a tenant setting the alarm meanwhile waits for it, then registers anew.</summary>
    private Task? _disarming;

    /// <summary>Every tenant that set the alarm since this activation registered it; null when that is not known (wake them all).</summary>
    private HashSet<string>? _known;

    private bool _waking;
    private bool _setWhileWaking;

    private string AlarmKey => this.GetPrimaryKeyString();

    private string AccountId => GrainKeys.ParseBillingAlarm(AlarmKey).AccountId;

    private DateTimeOffset Instant => GrainKeys.ParseBillingAlarm(AlarmKey).Instant;

    private TimeSpan Period => options.Value.RetryInterval;

    public async Task SetAsync(string tenantId)
    {
        if (_disarming is { } disarming)
        {
            await disarming;
        }

        _setWhileWaking |= _waking;
        _arming ??= ArmAsync();
        try
        {
            await _arming;
        }
        catch
        {
            _arming = null;
            throw;
        }

        _known?.Add(tenantId);
    }

    public Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != Reminder || _waking)
        {
            return Task.CompletedTask;
        }

        var now = time.GetUtcNow();
        if (BillingAlarms.IsEarly(Instant, now, Period))
        {
            return this.RegisterOrUpdateReminder(Reminder, BillingAlarms.DueTime(Instant, now), Period);
        }

        // The reminder exists (it ticked); an activation that did not register it can't know who set it.
        _arming ??= Task.CompletedTask;
        _waking = true;
        this.RegisterGrainTimer(_ => WakeTenantsAsync(), new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
        return Task.CompletedTask;
    }

    private async Task ArmAsync()
    {
        if (await this.GetReminder(Reminder) is not null)
        {
            _known = null;
            return;
        }

        await this.RegisterOrUpdateReminder(Reminder, BillingAlarms.DueTime(Instant, time.GetUtcNow()), Period);
        _known = [];
    }

    /// <summary>Wakes the tenants (64 at a time); unregisters the reminder when every one answered and none set the alarm meanwhile.</summary>
    private async Task WakeTenantsAsync()
    {
        try
        {
            var failed = 0;
            if (_known is { } known)
            {
                failed = await WakeAsync([.. known]);
            }
            else
            {
                string? after = null;
                do
                {
                    var page = await GrainFactory.GetGrain<IAccountGrain>(AccountId).ListTenantsAsync(after, PageSize);
                    failed += await WakeAsync(page.TenantIds);
                    after = page.NextAfter;
                }
                while (after is not null);
            }

            if (failed > 0 || _setWhileWaking)
            {
                LogKept(logger, AlarmKey, failed, Period);
                return;
            }

            _arming = null;
            _known = null;
            _disarming = DisarmAsync();
            await _disarming;
        }
        catch (Exception exception)
        {
            LogWakeFailed(logger, exception, AlarmKey, Period);
        }
        finally
        {
            _disarming = null;
            _waking = false;
            _setWhileWaking = false;
        }
    }

    private async Task<int> WakeAsync(IReadOnlyList<string> tenantIds)
    {
        var failed = 0;
        foreach (var chunk in tenantIds.Chunk(WakeConcurrency))
        {
            await Task.WhenAll(chunk.Select(async tenantId =>
            {
                try
                {
                    await GrainFactory.GetGrain<ITenantGrain>(GrainKeys.Tenant(AccountId, tenantId)).HandOverDueAsync();
                }
                catch (Exception exception)
                {
                    failed++;
                    LogTenantFailed(logger, exception, AlarmKey, tenantId);
                }
            }));
        }

        return failed;
    }

    private async Task DisarmAsync()
    {
        if (await this.GetReminder(Reminder) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Billing alarm {AlarmKey}: waking tenant {TenantId} failed")]
    private static partial void LogTenantFailed(ILogger logger, Exception exception, string alarmKey, string tenantId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Billing alarm {AlarmKey} stays set ({Failed} tenants failed, or one set it meanwhile): it goes off again in {Period}")]
    private static partial void LogKept(ILogger logger, string alarmKey, int failed, TimeSpan period);

    [LoggerMessage(Level = LogLevel.Error, Message = "Billing alarm {AlarmKey}: waking its tenants failed; it goes off again in {Period}")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception, string alarmKey, TimeSpan period);
}
