using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Health;

[GenerateSerializer, Alias("health-state")]
public sealed class HealthState
{
    [Id(0)] public int Checks { get; set; }
}

[GrainType("health")]
public sealed class HealthGrain(
    [PersistentState("health", StorageNames.Billing)] IPersistentState<HealthState> state) : Grain, IHealthGrain
{
    public Task CheckStorageAsync() => state.ReadStateAsync();
}
