using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Grains.BillRuns;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Telemetry;

namespace TenantBilling.Grains.Tenants;

/// <summary>
/// What the tenant tells the bill run of an invoice's billing day before the invoice exists: that it starts composing
/// the invoice (from scheduled, or again after waiting for taxes), and that it waits for taxes. Awaited before the
/// hand-over, so the invoice's own reports come after it.
/// </summary>
public sealed partial class TenantGrain
{
    private Task ReportComposingAsync(PeriodEntry entry)
    {
        ServiceProvider.GetService<BillRunMetrics>()?.Transition(entry.WaitingReason is null ? BillRunMetrics.Scheduled : BillRunMetrics.Name(InvoiceStatus.WaitingForTaxes), InvoiceStatus.Composing);
        return ReportAsync(entry, InvoiceStatus.Composing, null);
    }

    private Task ReportWaitingForTaxesAsync(PeriodEntry entry, string reason)
    {
        ServiceProvider.GetService<BillRunMetrics>()?.Transition(InvoiceStatus.Composing, InvoiceStatus.WaitingForTaxes);
        return ReportAsync(entry, InvoiceStatus.WaitingForTaxes, reason);
    }

    private Task ReportAsync(PeriodEntry entry, InvoiceStatus status, string? reason) =>
        entry.DueAt is { } dueAt
            ? BillRunReporting.ReportAsync(GrainFactory, logger, AccountId, dueAt, new BillRunReport(TenantId, entry.Period, status, reason))
            : Task.CompletedTask;
}
