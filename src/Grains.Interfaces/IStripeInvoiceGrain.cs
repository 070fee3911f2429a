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
}

/// <summary>The invoice keys of one tenant for one calendar year, keyed <see cref="GrainKeys.InvoiceHistory"/>.</summary>
public interface IInvoiceHistoryGrain : IGrainWithStringKey
{
    /// <summary>Adds an invoice key (idempotent).</summary>
    Task AddAsync(string invoiceKey);

    /// <summary>The year's invoice keys in the order they were added.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync();
}
