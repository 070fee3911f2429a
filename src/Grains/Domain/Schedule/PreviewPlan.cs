using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Schedule;

/// <summary>Where a month's preview comes from.</summary>
public abstract record PreviewPlan
{
    /// <summary>The month was handed over (or its entry trimmed): its invoice holds the draft.</summary>
    public sealed record FromInvoice(NotScheduled Reason) : PreviewPlan;

    /// <summary>The draft composed for the hand-over under way.</summary>
    public sealed record Kept(InvoiceDraft Draft, DateTimeOffset? ScheduledFor) : PreviewPlan;

    /// <summary>Compose it now, dated <paramref name="InvoiceDate"/>, as the real invoice would be.</summary>
    public sealed record Compose(PeriodEntry Entry, DateTimeOffset InvoiceDate, DateTimeOffset? ScheduledFor, NotScheduled? NotScheduled) : PreviewPlan;
}
