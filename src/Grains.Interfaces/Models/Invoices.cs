namespace TenantBilling.Grains.Interfaces.Models;

[GenerateSerializer, Alias("invoice-kind")]
public enum InvoiceKind
{
    /// <summary>Bills one closed month from its statement.</summary>
    Monthly,
    /// <summary>Sent at once for items the account chose.</summary>
    OneTime,
}

/// <summary>One billed line before taxes: quantity × unit price, rounded once to cents.</summary>
/// <param name="LineRef">Stable reference of the line within its invoice (tax lines point at it).</param>
/// <param name="ProductCode">The catalogue product, or null for a custom item.</param>
[GenerateSerializer, Immutable, Alias("invoice-line")]
public sealed record InvoiceLine(
    [property: Id(0)] string LineRef,
    [property: Id(1)] string Description,
    [property: Id(2)] string? ProductCode,
    [property: Id(3)] decimal Quantity,
    [property: Id(4)] decimal UnitPrice,
    [property: Id(5)] decimal Amount,
    [property: Id(6)] TaxCategory TaxCategory);

/// <summary>
/// A composed invoice: everything Stripe will be asked to bill, in dollars. It is what the preview
/// shows and what the tenant hands over to <c>IStripeInvoiceGrain</c>; the same inputs always
/// compose the same draft.
/// </summary>
/// <param name="InvoiceKey">Deterministic identity: see <see cref="GrainKeys"/>.</param>
/// <param name="UsageTotal">The carrier's usage on the statement behind the invoice (phantom-fee rule).</param>
/// <param name="TaxJurisdiction">Where the taxes were rated (null without taxes), so they can be committed or voided later.</param>
[GenerateSerializer, Immutable, Alias("invoice-draft")]
public sealed record InvoiceDraft(
    [property: Id(0)] string InvoiceKey,
    [property: Id(1)] string AccountId,
    [property: Id(2)] string TenantId,
    [property: Id(3)] InvoiceKind Kind,
    [property: Id(4)] string? Period,
    [property: Id(5)] string Description,
    [property: Id(6)] DateTimeOffset InvoiceDate,
    [property: Id(7)] IReadOnlyList<InvoiceLine> Lines,
    [property: Id(8)] IReadOnlyList<InvoiceTaxLine> Taxes,
    [property: Id(9)] decimal Subtotal,
    [property: Id(10)] decimal TaxTotal,
    [property: Id(11)] decimal Total,
    [property: Id(12)] bool AutoCharge,
    [property: Id(13)] bool IncludeTaxes,
    [property: Id(14)] decimal UsageTotal,
    [property: Id(15)] Statement? SourceStatement,
    [property: Id(16)] Jurisdiction? TaxJurisdiction = null,
    [property: Id(17)] TaxExemptions? TaxExemptions = null,
    [property: Id(18)] InvoiceRevision? Revision = null);

/// <summary>What a month's revised invoice replaces: revision <paramref name="Number"/> (1, 2, …) of the month, after the invoice before it was voided.</summary>
/// <param name="Revises">The voided invoice's key.</param>
/// <param name="RevisesNumber">The voided invoice's Stripe number, named on the revision for the tenant.</param>
/// <param name="FeeCharged">An earlier invoice of the month already cost the phantom fee: this one costs none (one fee per tenant and month).</param>
[GenerateSerializer, Immutable, Alias("invoice-revision")]
public sealed record InvoiceRevision(
    [property: Id(0)] int Number,
    [property: Id(1)] string Revises,
    [property: Id(2)] string? RevisesNumber,
    [property: Id(3)] bool FeeCharged);

/// <summary>Where an invoice is in its life, from the schedule to Stripe's last word.</summary>
[GenerateSerializer, Alias("invoice-status")]
public enum InvoiceStatus
{
    /// <summary>Waiting for its billing day.</summary>
    Scheduled,
    /// <summary>Due; being composed (and rated) by the tenant.</summary>
    Composing,
    /// <summary>Handed to the invoice grain, not yet in Stripe.</summary>
    HandedOver,
    /// <summary>Due, but the account's Stripe is disconnected: waits for a reconnect.</summary>
    Held,
    /// <summary>The tax provider failed; retried until it answers.</summary>
    WaitingForTaxes,
    /// <summary>Finalised in Stripe and sent (or charged).</summary>
    Sent,
    Paid,
    /// <summary>An automatic charge was declined; the invoice stays open in Stripe.</summary>
    PaymentFailed,
    /// <summary>A permanent Stripe error; see the failure reason. Can be retried.</summary>
    Failed,
    Void,
    Uncollectible,
    /// <summary>The invoice has no lines (nothing priced was used and no recurring items): nothing is sent to Stripe and no fee is charged.</summary>
    NothingToBill,
}

/// <summary>An invoice as the tenant's history lists it.</summary>
/// <param name="FailedAttempts">While its Stripe work fails and is retried: the failed attempts in a row (the reason is <paramref name="FailureReason"/>).</param>
/// <param name="NextAttemptAt">While its Stripe work is retried: when it is tried next.</param>
/// <param name="Revision">A monthly invoice's revision (0 for the month's first invoice), as the tenant lists it.</param>
/// <param name="Current">A monthly invoice is the month's current one: false once a later revision replaced it.</param>
/// <param name="FinalizedAt">When it was final in Stripe, on the billing clock: the invoice date its taxes are reported under.</param>
[GenerateSerializer, Immutable, Alias("invoice-summary")]
public sealed record InvoiceSummary(
    [property: Id(0)] string InvoiceKey,
    [property: Id(1)] InvoiceKind Kind,
    [property: Id(2)] string? Period,
    [property: Id(3)] string? RequestId,
    [property: Id(4)] InvoiceStatus Status,
    [property: Id(5)] DateTimeOffset? DueAt,
    [property: Id(6)] decimal? Total,
    [property: Id(7)] string? StripeInvoiceId,
    [property: Id(8)] string? Number,
    [property: Id(9)] long? AmountDueCents,
    [property: Id(10)] long? AmountPaidCents,
    [property: Id(11)] string? HostedInvoiceUrl,
    [property: Id(12)] string? FailureReason,
    [property: Id(13)] DateTimeOffset UpdatedAt,
    [property: Id(14)] string? Note = null,
    [property: Id(15)] int? FailedAttempts = null,
    [property: Id(16)] DateTimeOffset? NextAttemptAt = null,
    [property: Id(17)] int? Revision = null,
    [property: Id(18)] bool? Current = null,
    [property: Id(19)] DateTimeOffset? FinalizedAt = null);

/// <summary>An item of a one-time invoice: a catalogue product at the profile's price, or a custom item.</summary>
[GenerateSerializer, Immutable, Alias("one-time-item")]
public sealed record OneTimeItem(
    [property: Id(0)] string? ProductCode,
    [property: Id(1)] string? Description,
    [property: Id(2)] decimal Quantity,
    [property: Id(3)] decimal? UnitPrice,
    [property: Id(4)] TaxCategory? TaxCategory);
