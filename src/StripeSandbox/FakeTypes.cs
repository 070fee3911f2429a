namespace TenantBilling.StripeSandbox;

/// <summary>Test cards the fake can save on a customer, with Stripe's test-mode behaviour.</summary>
public enum FakeCard
{
    /// <summary>Visa 4242: every charge succeeds (Stripe's <c>pm_card_visa</c>).</summary>
    Visa,

    /// <summary>Visa 0002: every charge is declined, <c>generic_decline</c> (<c>pm_card_chargeDeclined</c>).</summary>
    Declined,

    /// <summary>Visa 9995: declined for <c>insufficient_funds</c> (<c>pm_card_chargeDeclinedInsufficientFunds</c>).</summary>
    InsufficientFunds,
}

/// <summary>How a saved card is recorded on a customer.</summary>
public enum SavedCardStyle
{
    /// <summary>A <c>pm_</c> PaymentMethod set as <c>invoice_settings.default_payment_method</c>.</summary>
    PaymentMethod,

    /// <summary>An older customer's <c>card_</c> source set as <c>default_source</c> (Stripe still charges it when no default payment method is set).</summary>
    LegacySource,
}

/// <summary>A customer as the fake holds it.</summary>
public sealed record FakeCustomer(
    string Id,
    string AccountId,
    string? Name,
    string? Email,
    string? Phone,
    string? Description,
    string? DefaultPaymentMethodId,
    string InvoicePrefix,
    IReadOnlyDictionary<string, string> Metadata,
    DateTimeOffset Created)
{
    /// <summary>A legacy saved card (<c>card_…</c>), or null.</summary>
    public string? DefaultSourceId { get; init; }

    /// <summary>Invoice balance in cents: negative is credit, positive is owed (e.g. an amount under the minimum charge).</summary>
    public long Balance { get; init; }

    /// <summary>The customer's coupon, percent off, or null.</summary>
    public decimal? DiscountPercentOff { get; init; }
}

/// <summary>A tax rate: created, or archived by Stripe from a tax amount's <c>tax_rate_data</c> (<see cref="Active"/> false).</summary>
public sealed record FakeTaxRate(
    string Id,
    string DisplayName,
    decimal Percentage,
    bool Inclusive,
    string? Jurisdiction,
    string? JurisdictionLevel,
    string? Country,
    string? State,
    string? TaxType,
    string? Description,
    bool Active);

/// <summary>One tax on one invoice line.</summary>
public sealed record FakeLineTax(long Amount, long TaxableAmount, FakeTaxRate TaxRate);

/// <summary>An invoice as the fake holds it, with totals in integer cents computed as Stripe does.</summary>
public sealed record FakeInvoice(
    string Id,
    string AccountId,
    string CustomerId,
    string Status,
    string CollectionMethod,
    string? Number,
    string Currency,
    long Subtotal,
    long Total,
    long AmountDue,
    long AmountPaid,
    long AmountRemaining,
    long AttemptCount,
    int SendCount,
    string? Description,
    string? HostedInvoiceUrl,
    DateTimeOffset? DueDate,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<FakeInvoiceLine> Lines,
    DateTimeOffset Created)
{
    /// <summary>Taxes added on top of the lines (Stripe's <c>total_taxes</c> of exclusive taxes), cents.</summary>
    public long TotalTaxes { get; init; }

    public long TotalDiscount { get; init; }

    /// <summary>Whether a discount (the customer's coupon, inherited) applies to the invoice.</summary>
    public bool Discounted { get; init; }

    /// <summary>The customer's balance before and after finalization applied it; null before.</summary>
    public long? StartingBalance { get; init; }

    public long? EndingBalance { get; init; }

    /// <summary>Marked paid at finalization because the amount due was under Stripe's $0.50 minimum charge.</summary>
    public bool PaidBelowMinimum { get; init; }

    /// <summary>The invoice this one revises (<c>from_invoice</c>), and the latest finalized revision of this one.</summary>
    public string? FromInvoiceId { get; init; }

    public string? LatestRevisionId { get; init; }

    /// <summary>What credit notes took off the invoice, before and after payment, cents.</summary>
    public long CreditNotesTotal { get; init; }
}

/// <summary>A credit note: totals in cents and where the money went (balance, refund, out of band).</summary>
public sealed record FakeCreditNote(
    string Id,
    string Number,
    string InvoiceId,
    string CustomerId,
    string Type,
    long Subtotal,
    long TotalTaxes,
    long Total,
    long CreditAmount,
    long RefundAmount,
    long OutOfBandAmount,
    IReadOnlyList<FakeCreditNoteLine> Lines);

/// <summary>One line of a credit note: the invoice line it credits (null for a custom line), its amount and its taxes, cents.</summary>
public sealed record FakeCreditNoteLine(string? InvoiceLineId, long Amount, long Taxes);

/// <summary>One line of an invoice (Stripe backs each with an invoice item).</summary>
public sealed record FakeInvoiceLine(
    string Id,
    string InvoiceItemId,
    long Amount,
    string Currency,
    string? Description,
    long Quantity,
    decimal UnitAmountDecimal,
    IReadOnlyDictionary<string, string> Metadata)
{
    public bool Discountable { get; init; } = true;

    public long DiscountAmount { get; init; }

    /// <summary>The line's taxes: its tax amounts, or what its tax rates came to.</summary>
    public IReadOnlyList<FakeLineTax> Taxes { get; init; } = [];
}

/// <summary>An invoice item; <see cref="InvoiceId"/> null means pending (not yet on an invoice).</summary>
public sealed record FakeInvoiceItem(
    string Id,
    string CustomerId,
    string? InvoiceId,
    long Amount,
    string Currency,
    string? Description);

/// <summary>
/// An event the fake recorded when an object changed (<c>invoice.finalized</c>, <c>invoice.paid</c>, ...).
/// <see cref="Payload"/> is the event JSON exactly as it would be delivered.
/// </summary>
public sealed record FakeEvent(string Id, string Type, string AccountId, string ObjectId, DateTimeOffset Created, string Payload);

/// <summary>A webhook ready to POST: the body and its <c>Stripe-Signature</c> header value.</summary>
public sealed record SignedWebhook(string EventId, string EventType, string Payload, string SignatureHeader);

/// <summary>What happened to a request, beyond its status code.</summary>
public enum RequestOutcome
{
    /// <summary>The endpoint ran and its answer was sent.</summary>
    Executed,

    /// <summary>A stored answer for the same idempotency key was replayed; nothing ran.</summary>
    Replayed,

    /// <summary>Rejected before the endpoint ran (auth, unknown route, validation, idempotency mismatch or key in use).</summary>
    Rejected,

    /// <summary>Answered 429 by the rate limiter.</summary>
    RateLimited,

    /// <summary>An injected fault fired before the endpoint ran: nothing was done.</summary>
    FaultBeforeWork,

    /// <summary>An injected fault fired after the endpoint ran: the work is stored, the client did not get its answer.</summary>
    FaultAfterWork,
}

/// <summary>One request as the fake saw it.</summary>
/// <param name="Route">The route template, e.g. <c>POST /v1/invoices/{id}/pay</c>, or the raw path when none matched.</param>
public sealed record RequestLogEntry(
    DateTimeOffset At,
    string Method,
    string Path,
    string Route,
    string? AccountId,
    string? IdempotencyKey,
    int Status,
    RequestOutcome Outcome,
    string RequestId);
