namespace TenantBilling.Grains.Interfaces;

/// <summary>The invoice keys of one tenant for one calendar year, keyed <see cref="GrainKeys.InvoiceHistory"/>.</summary>
public interface IInvoiceHistoryGrain : IGrainWithStringKey
{
    /// <summary>Adds an invoice key (idempotent).</summary>
    Task AddAsync(string invoiceKey);

    /// <summary>The year's invoice keys in the order they were added.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync();
}
