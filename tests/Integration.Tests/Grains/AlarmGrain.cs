using TenantBilling.Grains;

namespace TenantBilling.Integration.Tests.Grains;

/// <summary>Test-only grain with one persistent reminder that records which silo delivered each tick.</summary>
public interface IAlarmGrain : IGrainWithStringKey
{
    /// <summary>Registers (or replaces) the reminder <see cref="AlarmGrain.ReminderName"/>.</summary>
    Task SetAsync(TimeSpan dueTime, TimeSpan period);

    /// <summary>The silo that delivered the latest tick, or null before the first one.</summary>
    Task<string?> LastTickSiloAsync();
}

/// <summary>State of <see cref="IAlarmGrain"/>.</summary>
[GenerateSerializer, Immutable, Alias("it.alarm-state")]
public sealed record AlarmState([property: Id(0)] string? LastTickSilo, [property: Id(1)] int Ticks);

[GrainType("it.alarm")]
public sealed class AlarmGrain([PersistentState("alarm", StorageNames.Billing)] IPersistentState<AlarmState> alarm)
    : Grain, IAlarmGrain, IRemindable
{
    public const string ReminderName = "alarm";

    public Task SetAsync(TimeSpan dueTime, TimeSpan period) =>
        this.RegisterOrUpdateReminder(ReminderName, dueTime, period);

    public Task<string?> LastTickSiloAsync() => Task.FromResult(alarm.State?.LastTickSilo);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        alarm.State = new AlarmState(RuntimeIdentity, (alarm.State?.Ticks ?? 0) + 1);
        await alarm.WriteStateAsync();
    }
}
