using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Integrations.Taxes;

/// <summary>
/// The built-in provider: rates from an effective-dated table held in memory. It keeps no record of
/// its own, so commit rates exactly as quote does and void has nothing to cancel; the committed tax
/// lines live in the account's ledger.
/// </summary>
public sealed class RateTableTaxProvider(TaxRateTable table) : ITaxProvider
{
    public const string ProviderName = "rate-table";

    public string Name => ProviderName;

    public TaxRateTable Table => table;

    public Task<TaxResult> QuoteAsync(TaxRequest request, CancellationToken cancellationToken) =>
        Rate(request, cancellationToken);

    public Task<TaxResult> CommitAsync(TaxRequest request, CancellationToken cancellationToken) =>
        Rate(request, cancellationToken);

    public Task VoidAsync(string documentCode, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(documentCode);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    private Task<TaxResult> Rate(TaxRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(new TaxResult(request.DocumentCode, ProviderName, TaxCalculator.Calculate(table, request)));
    }
}
