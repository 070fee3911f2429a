using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// Rates invoices through the configured tax provider. A stateless worker (key 0): any silo rates
/// locally, and as many activations run as the load needs.
/// </summary>
public interface ITaxRatingGrain : IGrainWithIntegerKey
{
    /// <summary>The taxes the invoice would carry; changes nothing at the provider.</summary>
    Task<TaxResult> QuoteAsync(TaxRequest request);

    /// <summary>Records the taxes of a sent invoice with the provider (the provider's own filing).</summary>
    Task<TaxResult> CommitAsync(TaxRequest request);

    /// <summary>Cancels the taxes of a voided invoice with the provider.</summary>
    Task VoidAsync(string documentCode);
}
