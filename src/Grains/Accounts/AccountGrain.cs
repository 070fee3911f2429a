using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Accounts;

[GrainType("account")]
public sealed class AccountGrain(
    [PersistentState("account", StorageNames.Billing)] IPersistentState<AccountState> state,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time,
    SecretProtector secrets) : Grain, IAccountGrain
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

        // The key grain learns the key first, then the directory of live ids: a key listed on the account always works.
        await GrainFactory.GetGrain<IApiKeyGrain>(keyId).RegisterAsync(AccountId, hash);
        await GrainFactory.GetGrain<IApiKeyDirectoryGrain>(GrainKeys.ApiKeyDirectory).AddAsync(keyId);
        state.State.ApiKeys.Add(new ApiKeyView(keyId, createdAt, null));
        await state.WriteStateAsync();
        return new IssuedApiKey(keyId, key, createdAt);
    }

    public Task<IReadOnlyList<ApiKeyView>> ListApiKeysAsync() => Task.FromResult<IReadOnlyList<ApiKeyView>>(state.State.ApiKeys.ToArray());

    public async Task RevokeApiKeyAsync(string keyId)
    {
        EnsureExists();
        var index = state.State.ApiKeys.FindIndex(k => k.KeyId == keyId);
        if (index < 0)
        {
            throw BillingProblemException.NotFound($"API key '{keyId}'");
        }

        await GrainFactory.GetGrain<IApiKeyGrain>(keyId).RevokeAsync();
        await GrainFactory.GetGrain<IApiKeyDirectoryGrain>(GrainKeys.ApiKeyDirectory).RemoveAsync(keyId);
        if (state.State.ApiKeys[index].RevokedAt is null)
        {
            state.State.ApiKeys[index] = state.State.ApiKeys[index] with { RevokedAt = time.GetUtcNow() };
            await state.WriteStateAsync();
        }
    }

    public async Task<StripeConnected> ConnectStripeAsync(StripeCredentials credentials)
    {
        EnsureExists();
        var now = time.GetUtcNow();
        if (credentials.SecretKey is { } secretKey)
        {
            if (!secrets.IsConfigured)
            {
                throw BillingProblemException.Conflict("The operator has not configured Stripe:EncryptionKey, so account keys can't be stored; connect through Stripe Connect instead.");
            }

            state.State.EncryptedSecretKey = secrets.Protect(secretKey);
            state.State.EncryptedWebhookSecret = credentials.WebhookSecret is { } webhookSecret ? secrets.Protect(webhookSecret) : null;
            state.State.StripeIdentity = $"key:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secretKey)))[..16]}";
            state.State.Stripe = new StripeConnectionView(StripeConnectionMode.SecretKey, null, secretKey[^4..], now, null, credentials.WebhookSecret is not null);
        }
        else
        {
            state.State.EncryptedSecretKey = null;
            state.State.EncryptedWebhookSecret = null;
            state.State.StripeIdentity = $"connect:{credentials.StripeAccountId}";
            state.State.Stripe = new StripeConnectionView(StripeConnectionMode.Connect, credentials.StripeAccountId, null, now, null);
        }

        var held = state.State.HeldInvoiceKeys.ToList();
        state.State.HeldInvoiceKeys.Clear();
        await state.WriteStateAsync();
        return new StripeConnected(View(), held);
    }

    public async Task<AccountView> DisconnectStripeAsync()
    {
        EnsureExists();
        if (state.State.Stripe.Mode != StripeConnectionMode.NotConnected)
        {
            state.State.Stripe = state.State.Stripe with { Mode = StripeConnectionMode.NotConnected, DisconnectedAt = time.GetUtcNow() };
            state.State.EncryptedSecretKey = null;
            await state.WriteStateAsync();
        }

        return View();
    }

    public async Task<AccountView> UpdateSettingsAsync(AccountSettings settings)
    {
        EnsureExists();
        state.State.Settings = settings;
        await state.WriteStateAsync();
        return View();
    }

    public Task<StripeAccess?> GetStripeAccessAsync() => Task.FromResult(
        state.State.Exists
            ? new StripeAccess(AccountId, state.State.Stripe.Mode, state.State.Stripe.StripeAccountId, state.State.EncryptedSecretKey, state.State.Settings, state.State.StripeIdentity)
            : null);

    public Task<byte[]?> GetWebhookSecretAsync() => Task.FromResult(state.State.EncryptedWebhookSecret);

    public async Task HoldInvoiceAsync(string invoiceKey)
    {
        if (!state.State.HeldInvoiceKeys.Contains(invoiceKey))
        {
            state.State.HeldInvoiceKeys.Add(invoiceKey);
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
