namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>How an account's Stripe is reached.</summary>
[GenerateSerializer, Alias("stripe-connection-mode")]
public enum StripeConnectionMode
{
    NotConnected = 0,
    /// <summary>Stripe Connect: calls carry the account's <c>acct_…</c> id with the platform key.</summary>
    Connect = 1,
    /// <summary>The account gave us its own secret or restricted key.</summary>
    SecretKey = 2,
}

/// <summary>An account's Stripe connection as it may be shown: never the key itself.</summary>
/// <param name="LiveMode">Whether the connection bills in Stripe's live mode (false: test mode); null for connections made before it was recorded.</param>
[GenerateSerializer, Immutable, Alias("stripe-connection-view")]
public sealed record StripeConnectionView(
    [property: Id(0)] StripeConnectionMode Mode,
    [property: Id(1)] string? StripeAccountId,
    [property: Id(2)] string? SecretKeyLast4,
    [property: Id(3)] DateTimeOffset? ConnectedAt,
    [property: Id(4)] DateTimeOffset? DisconnectedAt,
    [property: Id(5)] bool AccountWebhookSecretSet = false,
    [property: Id(6)] bool? LiveMode = null);

/// <summary>Per-account settings the invoice pipeline reads.</summary>
/// <param name="DaysUntilDue">Days a sent (not auto-charged) invoice gives the tenant to pay.</param>
/// <param name="StripeRequestsPerSecond">The most Stripe requests per second for this account, across all silos.</param>
[GenerateSerializer, Immutable, Alias("account-settings")]
public sealed record AccountSettings(
    [property: Id(0)] int DaysUntilDue,
    [property: Id(1)] int StripeRequestsPerSecond)
{
    public static AccountSettings Default { get; } = new(30, 25);
}

[GenerateSerializer, Immutable, Alias("account-view")]
public sealed record AccountView(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string Name,
    [property: Id(2)] DateTimeOffset CreatedAt,
    [property: Id(3)] StripeConnectionView Stripe,
    [property: Id(4)] AccountSettings Settings,
    [property: Id(5)] int TenantCount);

/// <summary>A newly issued account API key. <see cref="Key"/> is shown once and never stored.</summary>
[GenerateSerializer, Immutable, Alias("issued-api-key")]
public sealed record IssuedApiKey(
    [property: Id(0)] string KeyId,
    [property: Id(1)] string Key,
    [property: Id(2)] DateTimeOffset CreatedAt);

/// <summary>An API key as listed: its id and state, never the secret or its hash.</summary>
[GenerateSerializer, Immutable, Alias("api-key-view")]
public sealed record ApiKeyView(
    [property: Id(0)] string KeyId,
    [property: Id(1)] DateTimeOffset CreatedAt,
    [property: Id(2)] DateTimeOffset? RevokedAt);

/// <summary>One page of an account's tenant ids, in id order.</summary>
[GenerateSerializer, Immutable, Alias("tenant-id-page")]
public sealed record TenantIdPage(
    [property: Id(0)] IReadOnlyList<string> TenantIds,
    [property: Id(1)] string? NextAfter);
