using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Telemetry;

namespace TenantBilling.Grains.Ledger;

/// <summary>
/// One account's month: the phantom-tenant fees charged and the taxes of the invoices sent. Both are
/// recorded once per invoice key. Fees are append-only: no method changes or removes one.
/// </summary>
[GrainType("account-ledger")]
public sealed class AccountLedgerGrain(
    [PersistentState("account-ledger", StorageNames.Billing)] IPersistentState<AccountLedgerState> state,
    BillingMetrics metrics) : Grain, IAccountLedgerGrain
{
    public async Task RecordPhantomFeeAsync(PhantomFee fee)
    {
        if (state.State.Fees.TrueForAll(f => f.InvoiceKey != fee.InvoiceKey))
        {
            state.State.Fees.Add(fee);
            await state.WriteStateAsync();
            metrics.PhantomFeeRecorded();
        }
    }

    public Task<IReadOnlyList<PhantomFee>> ListFeesAsync() => Task.FromResult<IReadOnlyList<PhantomFee>>(state.State.Fees.ToList());

    public async Task RecordTaxesAsync(TaxReportEntry entry)
    {
        if (state.State.Taxes.TrueForAll(t => t.InvoiceKey != entry.InvoiceKey))
        {
            state.State.Taxes.Add(entry);
            await state.WriteStateAsync();
        }
    }

    public async Task VoidTaxesAsync(string invoiceKey)
    {
        var index = state.State.Taxes.FindIndex(t => t.InvoiceKey == invoiceKey);
        if (index >= 0 && !state.State.Taxes[index].Voided)
        {
            state.State.Taxes[index] = state.State.Taxes[index] with { Voided = true };
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<TaxReportEntry>> ListTaxesAsync() => Task.FromResult<IReadOnlyList<TaxReportEntry>>(state.State.Taxes.ToList());
}
