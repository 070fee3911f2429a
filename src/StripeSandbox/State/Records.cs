namespace TenantBilling.StripeSandbox.State;

// Mutable state of one account's objects. Only touched while holding that account's AccountState.Gate.

internal sealed record AddressData(string? Line1, string? Line2, string? City, string? State, string? PostalCode, string? Country);

internal sealed class CustomerRecord
{
    public required string Id { get; init; }

    public required DateTimeOffset Created { get; init; }

    public required string InvoicePrefix { get; set; }

    public long NextInvoiceSequence { get; set; } = 1;

    public string? Name { get; set; }

    public string? Email { get; set; }

    public string? Phone { get; set; }

    public string? Description { get; set; }

    public AddressData? Address { get; set; }

    public string? DefaultPaymentMethodId { get; set; }

    /// <summary>A legacy saved card (<c>card_…</c>, from the Sources API), which Stripe charges when there is no default payment method.</summary>
    public string? DefaultSourceId { get; set; }

    /// <summary>The invoice balance in cents: negative is credit the customer has, positive is owed; applied to the next finalized invoice.</summary>
    public long Balance { get; set; }

    /// <summary>The customer's coupon, which invoices inherit unless created with <c>discounts=</c>.</summary>
    public DiscountRecord? Discount { get; set; }

    public string TaxExempt { get; set; } = "none";

    public List<string> PreferredLocales { get; set; } = [];

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);
}

internal sealed class PaymentMethodRecord
{
    public required string Id { get; init; }

    public required DateTimeOffset Created { get; init; }

    public required FakeCard Card { get; init; }

    public string? CustomerId { get; set; }
}

/// <summary>An invoice item; attached to an invoice it is also that invoice's line (with <see cref="LineId"/>).</summary>
internal sealed class InvoiceItemRecord
{
    public required string Id { get; init; }

    public required string LineId { get; init; }

    public required DateTimeOffset Created { get; init; }

    public required string CustomerId { get; init; }

    public string? InvoiceId { get; set; }

    public required long Amount { get; init; }

    public required string Currency { get; init; }

    public string? Description { get; init; }

    public long Quantity { get; init; } = 1;

    public decimal UnitAmountDecimal { get; init; }

    public string? PriceId { get; init; }

    public string? ProductId { get; init; }

    public DateTimeOffset PeriodStart { get; init; }

    public DateTimeOffset PeriodEnd { get; init; }

    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Whether the invoice's discounts apply to the line (Stripe's default: true).</summary>
    public bool Discountable { get; init; } = true;

    /// <summary>Tax rates named on the line (<c>tax_rates</c>).</summary>
    public List<string> TaxRateIds { get; init; } = [];

    /// <summary>Tax amounts set on the line (<c>tax_amounts</c>), already resolved to tax rates.</summary>
    public List<LineTax> TaxAmounts { get; init; } = [];

    /// <summary>The line's discount and taxes as computed when it joined its invoice.</summary>
    public long DiscountAmount { get; set; }

    public List<LineTax> Taxes { get; set; } = [];
}

/// <summary>One tax on one line: its amount and basis in cents and the tax rate it refers to.</summary>
internal sealed record LineTax(long Amount, long TaxableAmount, string TaxRateId, bool Inclusive, string? TaxabilityReason);

/// <summary>A tax rate: created with <c>POST /v1/tax_rates</c>, or archived on the fly from a tax amount's <c>tax_rate_data</c>.</summary>
internal sealed record TaxRateRecord(
    string Id,
    DateTimeOffset Created,
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

/// <summary>A coupon (percent off only) and the discount that applies it to a customer or invoice.</summary>
internal sealed record DiscountRecord(string Id, string CouponId, decimal PercentOff, DateTimeOffset Start);

internal sealed class InvoiceRecord
{
    public required string Id { get; init; }

    public required long Sequence { get; init; }

    public required DateTimeOffset Created { get; init; }

    public required string CustomerId { get; init; }

    public required string Currency { get; init; }

    public string Status { get; set; } = InvoiceStatus.Draft;

    public string CollectionMethod { get; set; } = "charge_automatically";

    public long? DaysUntilDue { get; set; }

    public DateTimeOffset? DueDate { get; set; }

    public bool AutoAdvance { get; set; }

    public string? Description { get; set; }

    public string? Footer { get; set; }

    public string? StatementDescriptor { get; set; }

    public string? DefaultPaymentMethodId { get; set; }

    public Dictionary<string, string> Metadata { get; } = new(StringComparer.Ordinal);

    public List<InvoiceItemRecord> Lines { get; } = [];

    public string? Number { get; set; }

    public string? HostedInvoiceUrl { get; set; }

    public long AmountPaid { get; set; }

    public long AmountPaidOutOfBand { get; set; }

    public long AttemptCount { get; set; }

    public bool Attempted { get; set; }

    public int SendCount { get; set; }

    public DateTimeOffset? FinalizedAt { get; set; }

    public DateTimeOffset? PaidAt { get; set; }

    public DateTimeOffset? VoidedAt { get; set; }

    public DateTimeOffset? MarkedUncollectibleAt { get; set; }

    /// <summary>When the search index sees the latest change (Stripe's search is eventually consistent).</summary>
    public DateTimeOffset SearchableAt { get; set; }

    /// <summary>The customer's name, email, phone and address frozen at finalization (Stripe copies them then).</summary>
    public CustomerRecord? CustomerAtFinalization { get; set; }

    public List<PaymentAttempt> Attempts { get; } = [];

    /// <summary>The discount applied to discountable lines: inherited from the customer unless created with <c>discounts=</c>.</summary>
    public DiscountRecord? Discount { get; set; }

    /// <summary>Tax rates for every line without its own (<c>default_tax_rates</c>).</summary>
    public List<string> DefaultTaxRateIds { get; set; } = [];

    public bool AutomaticTax { get; set; }

    /// <summary>The customer's balance when the invoice was finalized, and after it was applied; null before.</summary>
    public long? StartingBalance { get; set; }

    public long? EndingBalance { get; set; }

    /// <summary>Whether Stripe marked the invoice paid at finalization because its amount due was under the minimum charge.</summary>
    public bool PaidBelowMinimum { get; set; }

    /// <summary>The finalized invoice this draft revises (<c>from_invoice[action]=revision</c>); finalizing it voids that one.</summary>
    public string? FromInvoiceId { get; init; }

    /// <summary>The latest finalized revision of this invoice (set when a revision of it is finalized).</summary>
    public string? LatestRevisionId { get; set; }

    /// <summary>On the first invoice of a revision chain: how many revisions of the chain were finalized (the number suffix).</summary>
    public int RevisionsFinalized { get; set; }

    /// <summary>Credit notes issued while the invoice was open (they lower what is due) and after it was paid, in cents.</summary>
    public long PrePaymentCreditNotes { get; set; }

    public long PostPaymentCreditNotes { get; set; }

    public int CreditNoteCount { get; set; }

    /// <summary>Refunded through credit notes, in cents (never more than was charged).</summary>
    public long Refunded { get; set; }

    public long CreditNotesTotal => this.PrePaymentCreditNotes + this.PostPaymentCreditNotes;

    public long Subtotal => this.Lines.Sum(l => l.Amount);

    public long TotalDiscount => this.Lines.Sum(l => l.DiscountAmount);

    /// <summary>Taxes added on top of the lines (exclusive); inclusive ones are inside the line amounts.</summary>
    public long ExclusiveTax => this.Lines.Sum(l => l.Taxes.Where(t => !t.Inclusive).Sum(t => t.Amount));

    public long AllTax => this.Lines.Sum(l => l.Taxes.Sum(t => t.Amount));

    /// <summary>Stripe's total: subtotal − discounts + exclusive taxes.</summary>
    public long Total => this.Subtotal - this.TotalDiscount + this.ExclusiveTax;

    /// <summary>The customer balance the invoice took at finalization (negative: credit used; positive: debt added).</summary>
    public long AppliedBalance => this.StartingBalance is { } start ? start - (this.EndingBalance ?? start) : 0;

    // A negative total is credited to the customer's balance by Stripe; nothing is due then.
    public long AmountDue => Math.Max(0, this.Total + this.AppliedBalance - this.PrePaymentCreditNotes);

    public long AmountRemaining => this.Status == InvoiceStatus.Paid ? 0 : Math.Max(0, this.AmountDue - this.AmountPaid - this.AmountPaidOutOfBand);
}

internal sealed record PaymentAttempt(string ChargeId, string PaymentIntentId, string PaymentMethodId, long Amount, bool Succeeded, string? DeclineCode, DateTimeOffset At);

internal static class InvoiceStatus
{
    public const string Draft = "draft";
    public const string Open = "open";
    public const string Paid = "paid";
    public const string Void = "void";
    public const string Uncollectible = "uncollectible";
}

/// <summary>A credit note on a finalized invoice: its lines, taxes reversed, and where the money went.</summary>
internal sealed class CreditNoteRecord
{
    public required string Id { get; init; }

    public required string Number { get; init; }

    public required string InvoiceId { get; init; }

    public required string CustomerId { get; init; }

    public required string Currency { get; init; }

    public required DateTimeOffset Created { get; init; }

    /// <summary><c>pre_payment</c> (the invoice was open: it lowers the amount due) or <c>post_payment</c>.</summary>
    public required string Type { get; init; }

    public required List<CreditNoteLineRecord> Lines { get; init; }

    public long CreditAmount { get; init; }

    public long RefundAmount { get; init; }

    public long OutOfBandAmount { get; init; }

    public string? RefundId { get; init; }

    public string? Reason { get; init; }

    public string? Memo { get; init; }

    public Dictionary<string, string> Metadata { get; init; } = new(StringComparer.Ordinal);

    public string Status { get; set; } = "issued";

    public long Subtotal => this.Lines.Sum(l => l.Amount);

    public long ExclusiveTax => this.Lines.Sum(l => l.Taxes.Where(t => !t.Inclusive).Sum(t => t.Amount));

    public long Total => this.Subtotal + this.ExclusiveTax;
}

/// <summary>One line of a credit note: part or all of an invoice line (<see cref="InvoiceLineId"/>), or a custom amount.</summary>
internal sealed record CreditNoteLineRecord(
    string Id,
    string Type,
    string? InvoiceLineId,
    long Amount,
    long Quantity,
    decimal UnitAmountDecimal,
    string? Description,
    IReadOnlyList<LineTax> Taxes);
