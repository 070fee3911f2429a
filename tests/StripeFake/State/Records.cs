namespace TenantBilling.StripeFake.State;

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
}

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

    public long Subtotal => this.Lines.Sum(l => l.Amount);

    public long Total => this.Subtotal;

    // A negative total is credited to the customer's balance by Stripe; nothing is due then.
    public long AmountDue => Math.Max(0, this.Total);

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
