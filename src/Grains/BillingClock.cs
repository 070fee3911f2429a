namespace TenantBilling.Grains;

/// <summary>
/// The clock billing reads, injected as the <see cref="TimeProvider"/> keyed <see cref="Key"/>
/// (<c>[FromKeyedServices(BillingClock.Key)] TimeProvider</c>). It is kept apart from the default
/// TimeProvider because Orleans drives its own timers and membership from that one: the test clock
/// and the tests' fake clock must move billing's "now" without moving the cluster's.
/// </summary>
public static class BillingClock
{
    public const string Key = "billing";
}
