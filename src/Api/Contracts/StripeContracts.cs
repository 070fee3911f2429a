using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Contracts;

/// <summary>
/// Exactly one of the two: a Connect account id (acct_…), or the account's own secret or restricted key.
/// With a key, <paramref name="WebhookSecret"/> is the signing secret (whsec_…) of the webhook endpoint the
/// account creates in its Stripe for <c>/v1/stripe/webhooks/{accountId}</c>; without it, payment outcomes
/// are not recorded.
/// </summary>
public sealed record StripeConnectionRequest(string? StripeAccountId, string? SecretKey, string? WebhookSecret = null);

public sealed record AccountSettingsRequest(int? DaysUntilDue, int? StripeRequestsPerSecond);

public sealed record PhantomFeeResponse(
    string InvoiceKey, string TenantId, decimal Amount, decimal UsageTotal, DateTimeOffset ChargedAt, string StripeInvoiceId, string? InvoiceNumber)
{
    public static PhantomFeeResponse From(PhantomFee fee) =>
        new(fee.InvoiceKey, fee.TenantId, fee.Amount, fee.UsageTotal, fee.ChargedAt, fee.StripeInvoiceId, fee.InvoiceNumber);
}

public sealed record FeesResponse(string Month, decimal Total, IReadOnlyList<PhantomFeeResponse> Fees);
