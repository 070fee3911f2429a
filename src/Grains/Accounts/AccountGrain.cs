using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Grains.Domain.Paging;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TenantBilling.Grains.Stripe;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Accounts;

[GrainType("account")]
public sealed partial class AccountGrain(
    [PersistentState("account", StorageNames.Billing)] IPersistentState<AccountState> state,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time,
    TimeProvider systemTime,
    SecretProtector secrets,
    IStripeGateway stripe,
    IOptions<StripeOptions> stripeOptions,
    ILogger<AccountGrain> logger) : Grain, IAccountGrain
{
    /// <summary>The Connect account id a connection in progress is claiming (not persisted: a crash abandons the claim).</summary>
    private string? connecting;

    /// <summary>How long the connection check may take, well inside a grain call's timeout.</summary>
    private static readonly TimeSpan VerifyBudget = TimeSpan.FromSeconds(20);

    private string AccountId => this.GetPrimaryKeyString();

    public async Task<AccountView> CreateAsync(string name)
    {
        if (state.State.Exists)
        {
            // A create whose directory entry failed is repeated by the caller: list the account now.
            await GrainFactory.GetGrain<IAccountDirectoryGrain>(GrainKeys.AccountDirectory).AddAsync(AccountId);
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
        if (credentials.SecretKey is not null && !secrets.IsConfigured)
        {
            throw BillingProblemException.Conflict("The operator has not configured Stripe:EncryptionKey, so account keys can't be stored; connect through Stripe Connect instead.");
        }

        // The key's mode is checked before the key goes anywhere: a live key never reaches a test deployment's Stripe calls.
        var key = credentials.SecretKey ?? stripeOptions.Value.PlatformSecretKey
            ?? throw BillingProblemException.Conflict("The operator has not configured the Stripe platform key (Stripe:PlatformSecretKey), so Connect accounts can't be connected.");
        var keyMode = StripeConnectionCheck.ModeOf(key);
        if (StripeConnectionCheck.ModeMismatch(keyMode, stripeOptions.Value.Mode ?? StripeMode.Test, credentials.SecretKey is null) is { } mismatch)
        {
            throw mismatch;
        }

        var previousConnectAccount = ConnectedAccountId;
        var sealedKey = credentials.SecretKey is { } secretKey ? secrets.Protect(secretKey) : null;
        connecting = credentials.StripeAccountId;
        try
        {
            // The cluster-wide index refuses an id another account holds (409) before Stripe is asked or anything changes here.
            var claimed = credentials.StripeAccountId is { } stripeAccountId && await ConnectAccount(stripeAccountId).ClaimAsync(AccountId);
            try
            {
                await VerifyAsync(Candidate(credentials, sealedKey), credentials.SecretKey?.StartsWith("rk_", StringComparison.Ordinal) == true);
            }
            catch (BillingProblemException) when (claimed)
            {
                await ConnectAccount(credentials.StripeAccountId!).ReleaseAsync(AccountId);
                throw;
            }

            Apply(credentials, sealedKey, keyMode, time.GetUtcNow());
            var held = state.State.HeldInvoiceKeys.ToList();
            state.State.HeldInvoiceKeys.Clear();
            await state.WriteStateAsync();
            await ReleaseIfUnusedAsync(previousConnectAccount);
            return new StripeConnected(View(), held);
        }
        finally
        {
            connecting = null;
        }
    }

    public async Task<AccountView> DisconnectStripeAsync()
    {
        EnsureExists();
        if (state.State.Stripe.Mode != StripeConnectionMode.NotConnected)
        {
            var previousConnectAccount = ConnectedAccountId;
            state.State.Stripe = state.State.Stripe with { Mode = StripeConnectionMode.NotConnected, DisconnectedAt = time.GetUtcNow() };
            state.State.EncryptedSecretKey = null;
            await state.WriteStateAsync();
            await ReleaseIfUnusedAsync(previousConnectAccount);
        }

        return View();
    }

    public Task<bool> HoldsConnectAccountAsync(string stripeAccountId) =>
        Task.FromResult(ConnectedAccountId == stripeAccountId || connecting == stripeAccountId);

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
        var (page, nextAfter) = IdPaging.Page(state.State.TenantIds, after, limit);
        return Task.FromResult(new TenantIdPage(page, nextAfter));
    }

    /// <summary>How the pipeline would reach Stripe with these credentials, before they are stored.</summary>
    private StripeAccess Candidate(StripeCredentials credentials, byte[]? sealedKey) =>
        credentials.SecretKey is not null
            ? new StripeAccess(AccountId, StripeConnectionMode.SecretKey, null, sealedKey, state.State.Settings)
            : new StripeAccess(AccountId, StripeConnectionMode.Connect, credentials.StripeAccountId, null, state.State.Settings);

    /// <summary>
    /// Retrieves the account the credentials reach, so a key or Connect id that does not work is a 422 with
    /// Stripe's reason now rather than a failed invoice on the billing day. A missing answer is retried a
    /// few times within a budget well inside the grain call's timeout, then is a 503. Each request takes an
    /// interactive slot of the account's pacer (<see cref="StripeInteractiveRule"/>).
    /// </summary>
    private async Task VerifyAsync(StripeAccess candidate, bool restrictedKey)
    {
        using var budget = new CancellationTokenSource(VerifyBudget);
        // Someone waits for the answer: interactive slots of the account's pacer, within seconds even during a billing run, or a 503 that changed nothing.
        var turns = new StripeTurns(GrainFactory, systemTime, interactive: true);
        try
        {
            await VerifyAsync(candidate, restrictedKey, turns, budget);
        }
        finally
        {
            turns.ReleaseAll();
        }
    }

    private async Task VerifyAsync(StripeAccess candidate, bool restrictedKey, StripeTurns turns, CancellationTokenSource budget)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await StripePacing.WaitAsync(await turns.TakeAsync(candidate, StripeEndpoints.ReadAccount));
                try
                {
                    await stripe.RetrieveAccountAsync(candidate, budget.Token);
                }
                catch (StripeCallException refused) when (StripeConnectionCheck.MayNotReadAccount(refused, candidate, restrictedKey))
                {
                    // A restricted key need not read the account: one it can use reads invoices.
                    await StripePacing.WaitAsync(await turns.TakeAsync(candidate, StripeEndpoints.ListInvoices));
                    await stripe.CheckInvoicesReadableAsync(candidate, budget.Token);
                }

                return;
            }
            catch (StripeCallException failure)
                when (StripeConnectionCheck.IsTransient(failure) && attempt < StripeConnectionCheck.Attempts && !budget.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt));
            }
            catch (StripeCallException failure)
            {
                LogConnectionRefused(logger, AccountId, failure.Kind, failure.Message);
                throw StripeConnectionCheck.Refusal(failure);
            }
        }
    }

    private void Apply(StripeCredentials credentials, byte[]? sealedKey, StripeMode keyMode, DateTimeOffset now)
    {
        var liveMode = keyMode == StripeMode.Live;
        if (credentials.SecretKey is { } secretKey)
        {
            state.State.EncryptedSecretKey = sealedKey;
            state.State.EncryptedWebhookSecret = credentials.WebhookSecret is { } webhookSecret ? secrets.Protect(webhookSecret) : null;
            state.State.StripeIdentity = $"key:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(secretKey)))[..16]}";
            state.State.Stripe = new StripeConnectionView(StripeConnectionMode.SecretKey, null, secretKey[^4..], now, null, credentials.WebhookSecret is not null, liveMode);
        }
        else
        {
            state.State.EncryptedSecretKey = null;
            state.State.EncryptedWebhookSecret = null;
            state.State.StripeIdentity = $"connect:{credentials.StripeAccountId}";
            state.State.Stripe = new StripeConnectionView(StripeConnectionMode.Connect, credentials.StripeAccountId, null, now, null, LiveMode: liveMode);
        }
    }

    /// <summary>The Connect account id the account is connected to now, or null.</summary>
    private string? ConnectedAccountId =>
        state.State.Stripe is { Mode: StripeConnectionMode.Connect, StripeAccountId: { } id } ? id : null;

    private IStripeConnectAccountGrain ConnectAccount(string stripeAccountId) => GrainFactory.GetGrain<IStripeConnectAccountGrain>(stripeAccountId);

    /// <summary>
    /// Releases a Connect account id the account no longer uses. Best effort: if the release is lost, the
    /// index still hands the id to the next claimant, because it asks this account whether it holds it.
    /// </summary>
    private async Task ReleaseIfUnusedAsync(string? stripeAccountId)
    {
        if (stripeAccountId is not null && stripeAccountId != ConnectedAccountId)
        {
            try
            {
                await ConnectAccount(stripeAccountId).ReleaseAsync(AccountId);
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                LogReleaseFailed(logger, exception, AccountId);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: Stripe refused the connection check ({Kind}): {StripeMessage}")]
    private static partial void LogConnectionRefused(ILogger logger, string accountId, StripeFailureKind kind, string stripeMessage);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: releasing its former Connect account failed; the next claimant takes it over")]
    private static partial void LogReleaseFailed(ILogger logger, Exception exception, string accountId);

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

    public Task<AccountIdPage> ListPageAsync(string? after, int limit)
    {
        var (page, nextAfter) = IdPaging.Page(state.State.AccountIds, after, limit);
        return Task.FromResult(new AccountIdPage(page, nextAfter));
    }
}
