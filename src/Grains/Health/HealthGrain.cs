using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Health;

/// <summary>Nothing is kept: reading it proves grain storage answers.</summary>
[GenerateSerializer, Alias("health-state")]
public sealed class HealthState;

[GrainType("health")]
public sealed class HealthGrain(
    [PersistentState("health", StorageNames.Billing)] IPersistentState<HealthState> state) : Grain, IHealthGrain
{
    public Task CheckStorageAsync() => state.ReadStateAsync();
}
