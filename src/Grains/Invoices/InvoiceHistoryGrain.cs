using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Invoices;

/// <summary>One tenant's invoice keys for one calendar year, in the order they were handed over.</summary>
[GrainType("invoice-history")]
public sealed class InvoiceHistoryGrain(
    [PersistentState("invoice-history", StorageNames.Billing)] IPersistentState<InvoiceHistoryState> state) : Grain, IInvoiceHistoryGrain
{
    public async Task AddAsync(string invoiceKey)
    {
        if (!state.State.InvoiceKeys.Contains(invoiceKey))
        {
            state.State.InvoiceKeys.Add(invoiceKey);
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListAsync() => Task.FromResult<IReadOnlyList<string>>(state.State.InvoiceKeys.ToList());
}
