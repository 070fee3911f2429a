using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Tenants;

[GenerateSerializer, Alias("tenant-state")]
public sealed class TenantState
{
    [Id(0)] public TenantDetails? Details { get; set; }
    [Id(1)] public AddressStatus Address { get; set; } = AddressStatus.NotValidated;
    [Id(2)] public BillingProfile? Profile { get; set; }
    [Id(3)] public TaxExemptions Exemptions { get; set; } = TaxExemptions.None;

    /// <summary>Statements by period, oldest first: every one not yet handed over, and a few recent ones that were (see <see cref="TenantGrain"/> for the bound).</summary>
    [Id(4)] public List<PeriodEntry> Periods { get; set; } = [];

    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>The newest statement's period and usage total (the phantom-fee basis of one-time invoices).</summary>
    [Id(7)] public string? LatestStatementPeriod { get; set; }
    [Id(8)] public decimal LatestUsageTotal { get; set; }

    /// <summary>The newest period whose entry was dropped from <see cref="Periods"/>; older periods are looked up on their invoice.</summary>
    [Id(9)] public string? TrimmedThrough { get; set; }

    /// <summary>The due instant the invoice reminder is registered for, or null when none is.</summary>
    [Id(10)] public DateTimeOffset? ReminderDueAt { get; set; }

    /// <summary>The tenant's Stripe customer grain has its data (since the first invoice): later changes are passed on.</summary>
    [Id(12)] public bool HasStripeCustomer { get; set; }

    public bool Exists => Details is not null;
}

[GenerateSerializer, Alias("period-stage")]
public enum PeriodStage
{
    /// <summary>Kept, but not billed: no profile, or a month before the profile's first month.</summary>
    Unscheduled,
    Scheduled,
    /// <summary>Composed (the draft is kept) and being handed over; it may have reached the invoice grain already (the hand-over is idempotent).</summary>
    Composing,
    HandedOver,
}

[GenerateSerializer, Alias("period-entry")]
public sealed class PeriodEntry
{
    [Id(0)] public string Period { get; set; } = string.Empty;
    [Id(1)] public Statement Statement { get; set; } = null!;
    [Id(2)] public DateTimeOffset ReceivedAt { get; set; }
    [Id(3)] public DateTimeOffset? DueAt { get; set; }
    [Id(4)] public PeriodStage Stage { get; set; }
    [Id(5)] public DateTimeOffset? HandedOverAt { get; set; }

    /// <summary>Why a due invoice is waiting (e.g. the tax provider failed), shown on the invoice list.</summary>
    [Id(6)] public string? WaitingReason { get; set; }

    /// <summary>The composed invoice while Composing: what is handed over, and handed over again after a failure.</summary>
    [Id(7)] public InvoiceDraft? Draft { get; set; }

    public bool IsPending => Stage is PeriodStage.Scheduled or PeriodStage.Composing;
}
