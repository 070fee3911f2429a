using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Schedule;

/// <summary>One month of a tenant's period book: its statement and where its invoice stands (persisted in the tenant's state).</summary>
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

    /// <summary>The composed invoice while <see cref="PeriodStage.Composing"/>: what is handed over again.</summary>
    [Id(7)] public InvoiceDraft? Draft { get; set; }

    /// <summary>Which of the month's invoices the entry bills: 0 for the first, n for the n-th revision (after a void).</summary>
    [Id(8)] public int Revision { get; set; }

    /// <summary>Scheduled or composing: its invoice is still to be handed over.</summary>
    public bool IsPending => Stage is PeriodStage.Scheduled or PeriodStage.Composing;
}
