namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>A Stripe invoice as the pipeline needs to know it (amounts in cents).</summary>
/// <param name="TotalTaxes">The sum of Stripe's <c>total_taxes</c>.</param>
/// <param name="CustomerHasSavedCard">The customer has a card to charge: <c>invoice_settings.default_payment_method</c> or a legacy <c>default_source</c>; null when the answer did not include the customer.</param>
/// <param name="InvoiceKey">Our invoice key from the invoice's metadata, or null.</param>
/// <param name="FinalizedAt">Stripe's <c>status_transitions.finalized_at</c>, on Stripe's clock; null while a draft.</param>
public sealed record StripeInvoiceSnapshot(
    string Id,
    string Status,
    string? Number,
    long Total,
    long AmountDue,
    long AmountPaid,
    string? HostedInvoiceUrl,
    int LineCount,
    string CollectionMethod,
    bool? CustomerHasSavedCard,
    long Subtotal = 0,
    long TotalTaxes = 0,
    string? InvoiceKey = null,
    string? Currency = null,
    DateTimeOffset Created = default,
    long? StartingBalance = null,
    long? EndingBalance = null,
    long AttemptCount = 0,
    DateTimeOffset? FinalizedAt = null)
{
    public bool IsDraft => Status == "draft";
}
