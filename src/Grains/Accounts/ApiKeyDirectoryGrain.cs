using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Accounts;

/// <summary>
/// The live key ids. The key grains stay the record of each key (its account and secret hash); this is
/// the index every API process checks first. The first activation copies in the keys of existing accounts.
/// </summary>
[GrainType("api-key-directory")]
public sealed class ApiKeyDirectoryGrain(
    [PersistentState("api-key-directory", StorageNames.Billing)] IPersistentState<ApiKeyDirectoryState> state) : Grain, IApiKeyDirectoryGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (state.State.Seeded)
        {
            return;
        }

        foreach (var accountId in await GrainFactory.GetGrain<IAccountDirectoryGrain>(GrainKeys.AccountDirectory).ListAsync())
        {
            foreach (var key in await GrainFactory.GetGrain<IAccountGrain>(accountId).ListApiKeysAsync())
            {
                if (key.RevokedAt is null)
                {
                    Insert(key.KeyId);
                }
            }
        }

        state.State.Seeded = true;
        state.State.Version++;
        await state.WriteStateAsync(cancellationToken);
    }

    public async Task AddAsync(string keyId)
    {
        if (Insert(keyId))
        {
            state.State.Version++;
            await state.WriteStateAsync();
        }
    }

    public async Task RemoveAsync(string keyId)
    {
        var index = state.State.KeyIds.BinarySearch(keyId, StringComparer.Ordinal);
        if (index >= 0)
        {
            state.State.KeyIds.RemoveAt(index);
            state.State.Version++;
            await state.WriteStateAsync();
        }
    }

    public Task<ApiKeyIdSet?> GetIfChangedAsync(long knownVersion) =>
        Task.FromResult(knownVersion == state.State.Version ? null : new ApiKeyIdSet(state.State.Version, state.State.KeyIds.ToArray()));

    private bool Insert(string keyId)
    {
        var index = state.State.KeyIds.BinarySearch(keyId, StringComparer.Ordinal);
        if (index >= 0)
        {
            return false;
        }

        state.State.KeyIds.Insert(~index, keyId);
        return true;
    }
}
