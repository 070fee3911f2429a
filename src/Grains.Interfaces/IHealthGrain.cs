namespace TenantBilling.Grains.Interfaces;

/// <summary>Answers readiness probes: reaching it proves the cluster answers, and it reads its state from grain storage.</summary>
public interface IHealthGrain : IGrainWithStringKey
{
    /// <summary>Reads the grain's state from storage; throws when storage does not answer.</summary>
    Task CheckStorageAsync();
}
