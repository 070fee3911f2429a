using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Contracts;

/// <summary>Exactly one of the two: a Connect account id (acct_…) or the account's own secret or restricted key.</summary>
public sealed record StripeConnectionRequest(string? StripeAccountId, string? SecretKey);

public sealed record AccountSettingsRequest(int? DaysUntilDue, int? StripeRequestsPerSecond);

public sealed record PhantomFeeResponse(
    string InvoiceKey, string TenantId, decimal Amount, decimal UsageTotal, DateTimeOffset ChargedAt, string StripeInvoiceId, string? InvoiceNumber)
{
    public static PhantomFeeResponse From(PhantomFee fee) =>
        new(fee.InvoiceKey, fee.TenantId, fee.Amount, fee.UsageTotal, fee.ChargedAt, fee.StripeInvoiceId, fee.InvoiceNumber);
}

public sealed record FeesResponse(string Month, decimal Total, IReadOnlyList<PhantomFeeResponse> Fees);
