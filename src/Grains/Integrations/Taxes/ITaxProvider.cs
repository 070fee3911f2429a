using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Integrations.Taxes;

/// <summary>
/// A telecom tax-rating provider: the built-in rate table, or a specialist engine behind an adapter.
/// Quote as often as needed; commit once when the invoice is sent; void when a sent invoice is cancelled.
/// </summary>
public interface ITaxProvider
{
    /// <summary>The provider's name, recorded with every result.</summary>
    string Name { get; }

    /// <summary>Rates an invoice without recording anything (previews, composing before sending).</summary>
    Task<TaxResult> QuoteAsync(TaxRequest request, CancellationToken cancellationToken);

    /// <summary>
    /// Rates the invoice and records it as final under <see cref="TaxRequest.DocumentCode"/>, for the
    /// provider's own returns. Committing the same document code again must not record it twice.
    /// </summary>
    Task<TaxResult> CommitAsync(TaxRequest request, CancellationToken cancellationToken);

    /// <summary>Cancels a committed document. Voiding an unknown or already voided code does nothing.</summary>
    Task VoidAsync(string documentCode, CancellationToken cancellationToken);
}
