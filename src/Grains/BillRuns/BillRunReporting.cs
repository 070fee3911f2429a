using Microsoft.Extensions.Logging;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.BillRuns;

/// <summary>Sends a report to the bill run of an invoice's billing day; a bill run that does not answer never fails the billing.</summary>
internal static partial class BillRunReporting
{
    public static async Task ReportAsync(IGrainFactory grains, ILogger logger, string accountId, DateTimeOffset dueAt, BillRunReport report)
    {
        try
        {
            await grains.GetGrain<IBillRunGrain>(GrainKeys.BillRun(accountId, GrainKeys.BillingDay(dueAt))).ReportAsync(report);
        }
        catch (Exception exception)
        {
            LogReportFailed(logger, exception, accountId, report.TenantId, report.Period, report.Status);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bill run of account {AccountId}: the report of tenant {TenantId}'s invoice for {Period} ({Status}) was not taken; later reports and the run's stale check catch up")]
    private static partial void LogReportFailed(ILogger logger, Exception exception, string accountId, string tenantId, string period, InvoiceStatus status);
}
