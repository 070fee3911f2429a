namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>What the account gives to connect its Stripe: a Connect account id, or its own secret or restricted key.</summary>
/// <param name="WebhookSecret">With a key: the signing secret of the webhook endpoint the account created in its Stripe for us.</param>
[GenerateSerializer, Immutable, Alias("stripe-credentials")]
public sealed record StripeCredentials(
    [property: Id(0)] string? StripeAccountId,
    [property: Id(1)] string? SecretKey,
    [property: Id(2)] string? WebhookSecret = null);

/// <summary>
/// How the invoice pipeline reaches an account's Stripe. The secret key stays encrypted here; it is
/// decrypted only inside the Stripe gateway.
/// </summary>
/// <param name="StripeIdentity">Which Stripe account the connection reaches (a Connect account id, or a fingerprint of the key): objects made under another identity do not exist here.</param>
[GenerateSerializer, Immutable, Alias("stripe-access")]
public sealed record StripeAccess(
    [property: Id(0)] string AccountId,
    [property: Id(1)] StripeConnectionMode Mode,
    [property: Id(2)] string? StripeAccountId,
    [property: Id(3)] byte[]? EncryptedSecretKey,
    [property: Id(4)] AccountSettings Settings,
    [property: Id(5)] string? StripeIdentity = null)
{
    public bool Connected => Mode != StripeConnectionMode.NotConnected;
}

/// <summary>The result of connecting: the account, and the invoices that were held while it was disconnected.</summary>
[GenerateSerializer, Immutable, Alias("stripe-connected")]
public sealed record StripeConnected(
    [property: Id(0)] AccountView Account,
    [property: Id(1)] IReadOnlyList<string> HeldInvoiceKeys);

/// <summary>What a Stripe webhook event says about one invoice.</summary>
/// <param name="StripeAccountId">The connected account the event came from (Connect), else null.</param>
[GenerateSerializer, Immutable, Alias("stripe-invoice-event")]
public sealed record StripeInvoiceEvent(
    [property: Id(0)] string EventId,
    [property: Id(1)] string Type,
    [property: Id(2)] string StripeInvoiceId,
    [property: Id(3)] string? Status,
    [property: Id(4)] string? Number,
    [property: Id(5)] long AmountDueCents,
    [property: Id(6)] long AmountPaidCents,
    [property: Id(7)] string? HostedInvoiceUrl,
    [property: Id(8)] string? StripeAccountId,
    [property: Id(9)] string? FailureMessage);

/// <summary>A phantom-tenant fee charged to the account: fixed, and never changed or removed.</summary>
[GenerateSerializer, Immutable, Alias("phantom-fee")]
public sealed record PhantomFee(
    [property: Id(0)] string InvoiceKey,
    [property: Id(1)] string TenantId,
    [property: Id(2)] decimal Amount,
    [property: Id(3)] decimal UsageTotal,
    [property: Id(4)] DateTimeOffset ChargedAt,
    [property: Id(5)] string StripeInvoiceId,
    [property: Id(6)] string? InvoiceNumber);

/// <summary>
/// The taxes collected on one sent invoice, as the monthly tax report lists them; or, with
/// <paramref name="Adjustment"/>, taxes given back on it later (a void or a credit note in a later month),
/// as negative amounts in the month they were given back, naming the original invoice.
/// </summary>
/// <param name="InvoiceDate">When the invoice was finalized (for an adjustment: the original invoice's).</param>
[GenerateSerializer, Immutable, Alias("tax-report-entry")]
public sealed record TaxReportEntry(
    [property: Id(0)] string InvoiceKey,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string? InvoiceNumber,
    [property: Id(3)] string StripeInvoiceId,
    [property: Id(4)] DateTimeOffset InvoiceDate,
    [property: Id(5)] IReadOnlyList<InvoiceTaxLine> Taxes,
    [property: Id(6)] bool Voided,
    [property: Id(7)] TaxAdjustment? Adjustment = null)
{
    /// <summary>What the ledger month keeps once: the invoice's taxes, or one adjustment of them.</summary>
    public string RecordKey => Adjustment is { } adjustment ? $"{InvoiceKey}#{adjustment.Kind.ToString().ToLowerInvariant()}:{adjustment.Id}" : InvoiceKey;
}

[GenerateSerializer, Alias("tax-adjustment-kind")]
public enum TaxAdjustmentKind
{
    /// <summary>The invoice was voided in a month after the one it was finalized in: all its taxes given back.</summary>
    Void,
    /// <summary>A credit note gave back part or all of the invoice's taxes.</summary>
    Credit,
}

/// <summary>Why and when taxes were given back.</summary>
/// <param name="Id">Unique per invoice and kind: <c>void</c>, or the credit's request id.</param>
/// <param name="CreditNoteNumber">Stripe's credit note number, for a credit.</param>
[GenerateSerializer, Immutable, Alias("tax-adjustment")]
public sealed record TaxAdjustment(
    [property: Id(0)] TaxAdjustmentKind Kind,
    [property: Id(1)] string Id,
    [property: Id(2)] DateTimeOffset At,
    [property: Id(3)] string? CreditNoteNumber = null);

/// <summary>Slots the pacer booked, on its own clock, and that clock's time when it booked them (so a caller waits <c>slot - At</c> for each).</summary>
[GenerateSerializer, Immutable, Alias("stripe-slots")]
public sealed record StripeSlots(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] DateTimeOffset[] Slots);

/// <summary>
/// An interactive request's slots, on the pacer's clock, and that clock's time when it answered; when not
/// <paramref name="Booked"/>, the slots it would have had (past the bound asked for), none of them booked.
/// </summary>
[GenerateSerializer, Immutable, Alias("stripe-interactive-slots")]
public sealed record StripeInteractiveSlots(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] DateTimeOffset[] Slots,
    [property: Id(2)] bool Booked);

/// <summary>The tenant's Stripe customer as an invoice needs it.</summary>
/// <param name="HasSavedCard">Whether it has a card to charge, when the last answer said so (null: not known).</param>
/// <param name="Created">It was created by this call (so it has no invoices yet).</param>
/// <param name="UsedTurn">The caller's slot was used for a request.</param>
[GenerateSerializer, Immutable, Alias("stripe-customer-ref")]
public sealed record StripeCustomerRef(
    [property: Id(0)] string Id,
    [property: Id(1)] bool? HasSavedCard,
    [property: Id(2)] bool Created,
    [property: Id(3)] bool UsedTurn);
