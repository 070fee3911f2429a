using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Telemetry;

namespace TenantBilling.Grains.BillRuns;

/// <summary>
/// An invoice grain's reports of its status, kept out of the invoice's own logic: each call the grain wants watched
/// opens a <see cref="Watch"/>, which on leaving counts the transition (status on entry → status on leaving) in the
/// metric, and tells the bill run of the invoice's billing day (monthly invoices) when the status changed or this
/// activation has not told it yet. A new invoice's transition starts from <c>composing</c>.
/// </summary>
public sealed class InvoiceStatusReports(IGrainFactory grains, IServiceProvider services, Func<InvoiceSummary?> read)
{
    private InvoiceStatus? _told;

    public Watch Start() => new(this, read()?.Status);

    public sealed class Watch : IAsyncDisposable
    {
        private readonly InvoiceStatusReports _owner;
        private readonly InvoiceStatus? _from;

        internal Watch(InvoiceStatusReports owner, InvoiceStatus? from)
        {
            _owner = owner;
            _from = from;
        }

        public ValueTask DisposeAsync() => new(_owner.LeaveAsync(_from));
    }

    private async Task LeaveAsync(InvoiceStatus? from)
    {
        if (read() is not { } now)
        {
            return;
        }

        if (from != now.Status)
        {
            services.GetService<BillRunMetrics>()?.Transition(from ?? InvoiceStatus.Composing, now.Status);
        }

        if (_told == now.Status && from == now.Status)
        {
            return;
        }

        _told = now.Status;
        if (now is { Kind: InvoiceKind.Monthly, Period: { } period, DueAt: { } dueAt })
        {
            var (accountId, tenantId) = (now.InvoiceKey.Split('/')[0], now.InvoiceKey.Split('/')[1]);
            var logger = services.GetService<ILoggerFactory>()?.CreateLogger<InvoiceStatusReports>() ?? NullLogger<InvoiceStatusReports>.Instance;
            await BillRunReporting.ReportAsync(grains, logger, accountId, dueAt, new BillRunReport(tenantId, period, now.Status, now.FailureReason));
        }
    }
}
