using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Telemetry;

/// <summary>Times every call to the tax provider it wraps (<c>tenant_billing.tax.request.duration</c>).</summary>
public sealed class MeteredTaxProvider(ITaxProvider inner, BillingMetrics metrics, TimeProvider time) : ITaxProvider
{
    public string Name => inner.Name;

    /// <summary>The provider being measured.</summary>
    public ITaxProvider Inner => inner;

    public Task<TaxResult> QuoteAsync(TaxRequest request, CancellationToken cancellationToken) =>
        Measure("quote", () => inner.QuoteAsync(request, cancellationToken));

    public Task<TaxResult> CommitAsync(TaxRequest request, CancellationToken cancellationToken) =>
        Measure("commit", () => inner.CommitAsync(request, cancellationToken));

    public Task VoidAsync(string documentCode, CancellationToken cancellationToken) =>
        Measure("void", async () =>
        {
            await inner.VoidAsync(documentCode, cancellationToken);
            return true;
        });

    private async Task<T> Measure<T>(string operation, Func<Task<T>> call)
    {
        var started = time.GetTimestamp();
        var succeeded = false;
        try
        {
            var result = await call();
            succeeded = true;
            return result;
        }
        finally
        {
            metrics.TaxRequest(inner.Name, operation, succeeded, time.GetElapsedTime(started));
        }
    }
}
