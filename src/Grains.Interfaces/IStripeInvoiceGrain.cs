using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// One invoice, keyed by its invoice key (<see cref="GrainKeys.MonthlyInvoice"/> or
/// <see cref="GrainKeys.OneTimeInvoice"/>): the draft it was handed, its Stripe ids and status.
/// </summary>
public interface IStripeInvoiceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes over a composed invoice and sends it through Stripe in the background. Idempotent: the
    /// first draft for the key wins and a repeat returns the invoice as it stands.
    /// </summary>
    Task<InvoiceSummary> SubmitAsync(InvoiceDraft draft);

    /// <summary>The invoice as it stands, or null when nothing was handed over for the key.</summary>
    [AlwaysInterleave]
    Task<InvoiceSummary?> GetSummaryAsync();

    /// <summary>The draft that was handed over, or null.</summary>
    [AlwaysInterleave]
    Task<InvoiceDraft?> GetDraftAsync();

    /// <summary>
    /// Continues a held or interrupted invoice now (after a reconnect); does nothing to a finished one. Interleaves,
    /// so a reconnect releasing many invoices never waits for one that is busy with its Stripe slots.
    /// </summary>
    [AlwaysInterleave]
    Task ResumeAsync();

    /// <summary>
    /// Continues the invoice unless it is done or already running; true when nothing is left to do. Interleaves,
    /// so it answers at once even while the invoice waits for its Stripe slots (the record of invoices in flight asks it).
    /// </summary>
    [AlwaysInterleave]
    Task<bool> ContinueAsync();

    /// <summary>Tries a failed invoice again from the step that failed. Conflict unless it failed.</summary>
    Task<InvoiceSummary> RetryAsync();

    /// <summary>Records what a Stripe webhook says about the invoice. The same event twice changes nothing.</summary>
    Task<bool> ApplyStripeEventAsync(StripeInvoiceEvent stripeEvent);
}
