using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Ledger;

/// <summary>One page of a ledger month: at most <see cref="AccountLedgerGrain.PageSize"/> records, each invoice's once.</summary>
[GrainType("account-ledger-page")]
public sealed class AccountLedgerPageGrain(
    [PersistentState("account-ledger-page", StorageNames.Billing)] IPersistentState<AccountLedgerState> state) : Grain, IAccountLedgerPageGrain
{
    public async Task AppendAsync(IReadOnlyList<PhantomFee> fees, IReadOnlyList<TaxReportEntry> taxes)
    {
        var added = false;
        foreach (var fee in fees.Where(f => state.State.Fees.TrueForAll(kept => kept.InvoiceKey != f.InvoiceKey)))
        {
            state.State.Fees.Add(fee);
            added = true;
        }

        foreach (var entry in taxes.Where(t => state.State.Taxes.TrueForAll(kept => kept.RecordKey != t.RecordKey)))
        {
            state.State.Taxes.Add(entry);
            added = true;
        }

        if (added)
        {
            await state.WriteStateAsync();
        }
    }

    public async Task<bool> VoidTaxesAsync(string invoiceKey)
    {
        var index = state.State.Taxes.FindIndex(t => t.InvoiceKey == invoiceKey && t.Adjustment is null);
        if (index < 0)
        {
            return false;
        }

        if (!state.State.Taxes[index].Voided)
        {
            state.State.Taxes[index] = state.State.Taxes[index] with { Voided = true };
            await state.WriteStateAsync();
        }

        return true;
    }

    public Task<LedgerPage> ReadAsync() => Task.FromResult(new LedgerPage(state.State.Fees.ToList(), state.State.Taxes.ToList()));
}
