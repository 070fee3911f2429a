using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Text.Json;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Telemetry;

/// <summary>
/// Invoices by status transition (<c>from</c> → <c>to</c>, status names in snake_case) and the gauges of invoices
/// due (open), held and waiting for taxes, on the product's meter. The gauges add up the bill runs active on this
/// silo (each bill run lives on one silo, so the cluster's total is the sum over silos); a bill run with open
/// invoices stays active. No tenant, account or invoice id is a dimension.
/// </summary>
public sealed class BillRunMetrics
{
    /// <summary>The <c>from</c> of an invoice's first transition: a due invoice its tenant starts on.</summary>
    public const string Scheduled = "scheduled";

    private readonly Counter<long> _transitions;
    private readonly ConcurrentDictionary<string, BillRunCounts> _runs = new(StringComparer.Ordinal);

    public BillRunMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(BillingMetrics.MeterName);
        _transitions = meter.CreateCounter<long>(
            "tenant_billing.invoice.transitions", "{transition}",
            "Invoices moving from one status to another (from, to: scheduled, composing, waiting_for_taxes, handed_over, held, sent, paid, payment_failed, failed, void, uncollectible, nothing_to_bill).");
        meter.CreateObservableGauge(
            "tenant_billing.invoices.due", () => Sum(c => c.Open), "{invoice}",
            "Invoices of bill runs that fell due and are not finished: composing, waiting for taxes, held or in Stripe.");
        meter.CreateObservableGauge(
            "tenant_billing.invoices.held", () => Sum(c => c.Held), "{invoice}",
            "Due invoices held because their account's Stripe is disconnected.");
        meter.CreateObservableGauge(
            "tenant_billing.invoices.waiting_for_taxes", () => Sum(c => c.WaitingForTaxes), "{invoice}",
            "Due invoices waiting for the tax provider (or for their tenant's address to be validated).");
    }

    public void Transition(string from, InvoiceStatus to) => Transition(from, Name(to));

    public void Transition(InvoiceStatus from, InvoiceStatus to) => Transition(Name(from), Name(to));

    /// <summary>What one bill run (by its grain key) counts now; the gauges add it up.</summary>
    public void Publish(string billRunKey, BillRunCounts counts) => _runs[billRunKey] = counts;

    /// <summary>The bill run left this silo: another activation publishes it from now on.</summary>
    public void Withdraw(string billRunKey) => _runs.TryRemove(billRunKey, out _);

    public static string Name(InvoiceStatus status) => JsonNamingPolicy.SnakeCaseLower.ConvertName(status.ToString());

    private void Transition(string from, string to) =>
        _transitions.Add(1, new KeyValuePair<string, object?>("from", from), new KeyValuePair<string, object?>("to", to));

    private long Sum(Func<BillRunCounts, int> part) => _runs.Values.Sum(c => (long)part(c));
}
