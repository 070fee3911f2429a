using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Contracts;

public sealed record CreateAccountRequest(string? AccountId, string? Name);

/// <param name="AccountWebhookSecretSet">For a key connection: whether the account's webhook signing secret was given.</param>
/// <param name="LiveMode">True when the connection bills in Stripe's live mode, false in test mode (checked against the deployment's mode at connect time).</param>
/// <param name="Sandbox">True when this deployment's Stripe is the local Stripe sandbox (Development only): the connection reaches no Stripe at all.</param>
public sealed record StripeConnectionResponse(
    string Mode, string? StripeAccountId, string? SecretKeyLast4, DateTimeOffset? ConnectedAt, DateTimeOffset? DisconnectedAt, bool AccountWebhookSecretSet,
    bool? LiveMode, bool Sandbox);

public sealed record AccountSettingsResponse(int DaysUntilDue, int StripeRequestsPerSecond);

public sealed record AccountResponse(
    string AccountId, string Name, DateTimeOffset CreatedAt, StripeConnectionResponse Stripe, AccountSettingsResponse Settings, int TenantCount)
{
    /// <param name="sandbox">Whether this deployment's Stripe is the local sandbox.</param>
    public static AccountResponse From(AccountView view, bool sandbox) => new(
        view.AccountId,
        view.Name,
        view.CreatedAt,
        new StripeConnectionResponse(
            view.Stripe.Mode switch
            {
                StripeConnectionMode.Connect => "connect",
                StripeConnectionMode.SecretKey => "secret_key",
                _ => "not_connected",
            },
            view.Stripe.StripeAccountId,
            view.Stripe.SecretKeyLast4,
            view.Stripe.ConnectedAt,
            view.Stripe.DisconnectedAt,
            view.Stripe.AccountWebhookSecretSet,
            view.Stripe.LiveMode,
            sandbox),
        new AccountSettingsResponse(view.Settings.DaysUntilDue, view.Settings.StripeRequestsPerSecond),
        view.TenantCount);
}

/// <summary>A page of accounts in id order; pass <paramref name="NextAfter"/> as <c>after</c> for the next (null on the last page).</summary>
public sealed record AccountPageResponse(IReadOnlyList<AccountResponse> Items, string? NextAfter);

/// <param name="Key">The key itself: shown in this answer only, never again.</param>
public sealed record ApiKeyResponse(string KeyId, string Key, DateTimeOffset CreatedAt);
