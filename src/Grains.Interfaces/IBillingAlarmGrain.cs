namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// One account's alarm for one instant, keyed <see cref="GrainKeys.BillingAlarm"/>: a single durable reminder
/// for every tenant of the account with something due then (a billing day, or a retry). When it goes off it
/// wakes the account's tenants (<see cref="ITenantGrain.HandOverDueAsync"/>), each of which knows from its own
/// state what is due; so statements sharing a billing day cost no reminder write each.
/// </summary>
public interface IBillingAlarmGrain : IGrainWithStringKey
{
    /// <summary>
    /// Makes sure the alarm goes off at its instant, for <paramref name="tenantId"/> among others: when this
    /// returns, the reminder is stored. Interleaves, so a tenant can set an alarm while that alarm is waking it.
    /// </summary>
    [AlwaysInterleave]
    Task SetAsync(string tenantId);
}
