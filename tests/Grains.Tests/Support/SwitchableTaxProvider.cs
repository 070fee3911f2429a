using TenantBilling.TestSupport;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Tests.Support;

/// <summary>The built-in provider, which a test can make fail as a remote engine would.</summary>
public sealed class SwitchableTaxProvider(ITaxProvider inner) : ITaxProvider
{
    public bool Failing { get; set; }

    public int Quotes { get; private set; }

    public string Name => inner.Name;

    public Task<TaxResult> QuoteAsync(TaxRequest request, CancellationToken cancellationToken)
    {
        Quotes++;
        return Failing ? throw new HttpRequestException("Injected: tax engine unreachable.") : inner.QuoteAsync(request, cancellationToken);
    }

    public Task<TaxResult> CommitAsync(TaxRequest request, CancellationToken cancellationToken) =>
        Failing ? throw new HttpRequestException("Injected: tax engine unreachable.") : inner.CommitAsync(request, cancellationToken);

    public Task VoidAsync(string documentCode, CancellationToken cancellationToken) => inner.VoidAsync(documentCode, cancellationToken);
}
