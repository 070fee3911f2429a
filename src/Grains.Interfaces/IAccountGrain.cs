using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>One reseller account, keyed by its account id: its name, API keys, Stripe connection and tenant index.</summary>
public interface IAccountGrain : IGrainWithStringKey
{
    /// <summary>Creates the account. Conflict if it already exists.</summary>
    Task<AccountView> CreateAsync(string name);

    /// <summary>The account, or null when it does not exist.</summary>
    [AlwaysInterleave]
    Task<AccountView?> GetAsync();

    /// <summary>Issues a new API key for the account. The key is in the answer and nowhere else.</summary>
    Task<IssuedApiKey> IssueApiKeyAsync();

    /// <summary>The account's keys, revoked ones included (empty when the account does not exist).</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<ApiKeyView>> ListApiKeysAsync();

    /// <summary>
    /// Revokes one of the account's keys: refused at once by the API process that revoked it, and by every
    /// other within the key cache time (docs/cluster.md). NotFound for an unknown key.
    /// </summary>
    Task RevokeApiKeyAsync(string keyId);

    /// <summary>Adds a tenant to the account's index (idempotent).</summary>
    Task AddTenantAsync(string tenantId);

    /// <summary>Connects the account's Stripe (replacing any earlier connection) and returns the invoices held meanwhile.</summary>
    Task<StripeConnected> ConnectStripeAsync(StripeCredentials credentials);

    /// <summary>Disconnects Stripe: no new Stripe calls; invoices that fall due are held. History stays.</summary>
    Task<AccountView> DisconnectStripeAsync();

    /// <summary>Sets the account's invoice settings.</summary>
    Task<AccountView> UpdateSettingsAsync(AccountSettings settings);

    /// <summary>How to reach the account's Stripe, or null when the account does not exist.</summary>
    [AlwaysInterleave]
    Task<StripeAccess?> GetStripeAccessAsync();

    /// <summary>
    /// Whether the account is connected, or is being connected, to the Connect account
    /// <paramref name="stripeAccountId"/> (asked by <see cref="IStripeConnectAccountGrain"/> before it hands the id to another account).
    /// </summary>
    [AlwaysInterleave]
    Task<bool> HoldsConnectAccountAsync(string stripeAccountId);

    /// <summary>The encrypted signing secret of the account's own webhook endpoint, or null.</summary>
    [AlwaysInterleave]
    Task<byte[]?> GetWebhookSecretAsync();

    /// <summary>Records an invoice that fell due while Stripe was disconnected, to be released on connect.</summary>
    Task HoldInvoiceAsync(string invoiceKey);

    /// <summary>A page of tenant ids in id order, starting after <paramref name="after"/>.</summary>
    [AlwaysInterleave]
    Task<TenantIdPage> ListTenantsAsync(string? after, int limit);
}
