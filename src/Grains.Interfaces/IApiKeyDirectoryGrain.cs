namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// The ids of every live account API key (one grain, key <see cref="GrainKeys.ApiKeyDirectory"/>). Each
/// API process holds a copy, so a key whose id is not in it is refused without touching its key grain
/// or the database: a flood of made-up keys costs a set lookup each.
/// </summary>
public interface IApiKeyDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds a newly issued key's id (idempotent).</summary>
    Task AddAsync(string keyId);

    /// <summary>Removes a revoked key's id (idempotent).</summary>
    Task RemoveAsync(string keyId);

    /// <summary>The live key ids, or null when their version is still <paramref name="knownVersion"/>.</summary>
    [AlwaysInterleave]
    Task<ApiKeyIdSet?> GetIfChangedAsync(long knownVersion);
}

/// <summary>The live key ids at one version of the directory.</summary>
[GenerateSerializer, Immutable, Alias("api-key-id-set")]
public sealed record ApiKeyIdSet([property: Id(0)] long Version, [property: Id(1)] IReadOnlyList<string> KeyIds);
