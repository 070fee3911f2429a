namespace TenantBilling.Grains.Domain.Schedule;

/// <summary>Where a <see cref="PeriodBook"/> keeps its entries: the tenant's persisted state.</summary>
public interface IPeriodBookState
{
    /// <summary>Statements by period, oldest first: every one not yet handed over, and the most recent few that were.</summary>
    List<PeriodEntry> Periods { get; }

    /// <summary>The newest period whose entry was trimmed from <see cref="Periods"/>; older periods are looked up on their invoice.</summary>
    string? TrimmedThrough { get; set; }

    /// <summary>The newest statement's period, and its usage total (the phantom-fee basis of one-time invoices).</summary>
    string? LatestStatementPeriod { get; set; }

    decimal LatestUsageTotal { get; set; }

    /// <summary>Every month whose invoice was handed over, in hand-over order (trimmed entries included): the tenant's invoice list.</summary>
    List<string> InvoicedPeriods { get; }

    /// <summary>The current revision of each month that has been revised (never trimmed; months without revisions are absent).</summary>
    Dictionary<string, int> Revisions { get; }
}
