using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Accounts;

[GrainType("account")]
public sealed class AccountGrain(
    [PersistentState("account", StorageNames.Billing)] IPersistentState<AccountState> state,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time) : Grain, IAccountGrain
{
    private string AccountId => this.GetPrimaryKeyString();

    public async Task<AccountView> CreateAsync(string name)
    {
        if (state.State.Exists)
        {
            throw BillingProblemException.Conflict($"Account '{AccountId}' already exists.");
        }

        state.State.Name = name;
        state.State.CreatedAt = time.GetUtcNow();
        await state.WriteStateAsync();
        await GrainFactory.GetGrain<IAccountDirectoryGrain>(GrainKeys.AccountDirectory).AddAsync(AccountId);
        return View();
    }

    public Task<AccountView?> GetAsync() => Task.FromResult(state.State.Exists ? View() : null);

    public async Task<IssuedApiKey> IssueApiKeyAsync()
    {
        EnsureExists();
        var (keyId, key, hash) = ApiKeys.Generate();
        var createdAt = time.GetUtcNow();

        // The key grain learns the key first: a key listed on the account always works.
        await GrainFactory.GetGrain<IApiKeyGrain>(keyId).RegisterAsync(AccountId, hash);
        state.State.ApiKeys.Add(new ApiKeyView(keyId, createdAt, null));
        await state.WriteStateAsync();
        return new IssuedApiKey(keyId, key, createdAt);
    }

    public async Task RevokeApiKeyAsync(string keyId)
    {
        EnsureExists();
        var index = state.State.ApiKeys.FindIndex(k => k.KeyId == keyId);
        if (index < 0)
        {
            throw BillingProblemException.NotFound($"API key '{keyId}'");
        }

        await GrainFactory.GetGrain<IApiKeyGrain>(keyId).RevokeAsync();
        if (state.State.ApiKeys[index].RevokedAt is null)
        {
            state.State.ApiKeys[index] = state.State.ApiKeys[index] with { RevokedAt = time.GetUtcNow() };
            await state.WriteStateAsync();
        }
    }

    public async Task AddTenantAsync(string tenantId)
    {
        EnsureExists();
        var ids = state.State.TenantIds;
        var index = ids.BinarySearch(tenantId, StringComparer.Ordinal);
        if (index < 0)
        {
            ids.Insert(~index, tenantId);
            await state.WriteStateAsync();
        }
    }

    public Task<TenantIdPage> ListTenantsAsync(string? after, int limit)
    {
        var ids = state.State.TenantIds;
        var start = 0;
        if (after is not null)
        {
            var index = ids.BinarySearch(after, StringComparer.Ordinal);
            start = index >= 0 ? index + 1 : ~index;
        }

        var page = ids.Skip(start).Take(limit).ToList();
        var nextAfter = start + page.Count < ids.Count ? page[^1] : null;
        return Task.FromResult(new TenantIdPage(page, nextAfter));
    }

    private void EnsureExists()
    {
        if (!state.State.Exists)
        {
            throw BillingProblemException.NotFound($"Account '{AccountId}'");
        }
    }

    private AccountView View() => new(
        AccountId, state.State.Name!, state.State.CreatedAt, state.State.Stripe, state.State.Settings, state.State.TenantIds.Count);
}

[GrainType("api-key")]
public sealed class ApiKeyGrain(
    [PersistentState("api-key", StorageNames.Billing)] IPersistentState<ApiKeyState> state) : Grain, IApiKeyGrain
{
    public async Task RegisterAsync(string accountId, string secretHash)
    {
        if (state.State.AccountId is not null)
        {
            throw BillingProblemException.Conflict("The key id is already in use.");
        }

        state.State.AccountId = accountId;
        state.State.SecretHash = secretHash;
        await state.WriteStateAsync();
    }

    public Task<string?> AuthenticateAsync(string secretHash) =>
        Task.FromResult(
            state.State is { AccountId: { } accountId, SecretHash: { } expected, Revoked: false } && ApiKeys.HashesMatch(expected, secretHash)
                ? accountId
                : null);

    public async Task RevokeAsync()
    {
        if (!state.State.Revoked)
        {
            state.State.Revoked = true;
            await state.WriteStateAsync();
        }
    }
}

[GrainType("account-directory")]
public sealed class AccountDirectoryGrain(
    [PersistentState("account-directory", StorageNames.Billing)] IPersistentState<AccountDirectoryState> state) : Grain, IAccountDirectoryGrain
{
    public async Task AddAsync(string accountId)
    {
        var ids = state.State.AccountIds;
        var index = ids.BinarySearch(accountId, StringComparer.Ordinal);
        if (index < 0)
        {
            ids.Insert(~index, accountId);
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.AccountIds.ToList());
}
