using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.BillRuns;

/// <summary>One account's bill run for one billing day (persisted): each invoice's last reported status, and the sends per minute.</summary>
[GenerateSerializer, Alias("bill-run-state")]
public sealed class BillRunState
{
    /// <summary>Keyed <c>{tenantId}/{period}</c>: one monthly invoice of the day.</summary>
    [Id(0)] public Dictionary<string, BillRunEntry> Invoices { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Minutes since the Unix epoch → invoices that became sent in that minute.</summary>
    [Id(1)] public Dictionary<long, int> SentPerMinute { get; set; } = [];

    /// <summary>The day's grain lists this account (<c>IBillRunDayGrain.AddAccountAsync</c> answered).</summary>
    [Id(2)] public bool ListedForDay { get; set; }

    /// <summary>When an invoice last finished (sent, failed or nothing to bill).</summary>
    [Id(3)] public DateTimeOffset? LastFinishedAt { get; set; }
}

/// <summary>One invoice of a bill run as last reported.</summary>
[GenerateSerializer, Alias("bill-run-entry")]
public sealed class BillRunEntry
{
    [Id(0)] public InvoiceStatus Status { get; set; }
    [Id(1)] public BillRunStage Stage { get; set; }
    [Id(2)] public DateTimeOffset At { get; set; }

    /// <summary>Why it failed or waits.</summary>
    [Id(3)] public string? Reason { get; set; }
}
