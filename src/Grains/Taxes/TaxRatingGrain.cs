using Orleans.Concurrency;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Taxes;

[StatelessWorker]
[GrainType("tax-rating")]
public sealed class TaxRatingGrain(ITaxProvider provider) : Grain, ITaxRatingGrain
{
    private static readonly TimeSpan ProviderTimeout = TimeSpan.FromSeconds(20);

    public Task<TaxResult> QuoteAsync(TaxRequest request) => WithTimeout(ct => provider.QuoteAsync(request, ct));

    public Task<TaxResult> CommitAsync(TaxRequest request) => WithTimeout(ct => provider.CommitAsync(request, ct));

    public Task VoidAsync(string documentCode) => WithTimeout(async ct =>
    {
        await provider.VoidAsync(documentCode, ct);
        return true;
    });

    private static async Task<T> WithTimeout<T>(Func<CancellationToken, Task<T>> call)
    {
        using var timeout = new CancellationTokenSource(ProviderTimeout);
        return await call(timeout.Token);
    }
}
