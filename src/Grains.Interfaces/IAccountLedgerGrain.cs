using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// An account's ledger for one month, keyed <see cref="GrainKeys.AccountLedger"/>: phantom-tenant fees
/// and the taxes of invoices sent that month.
/// </summary>
public interface IAccountLedgerGrain : IGrainWithStringKey
{
    /// <summary>Records a fee once per invoice. There is no way to change or remove one.</summary>
    Task RecordPhantomFeeAsync(PhantomFee fee);

    [AlwaysInterleave]
    Task<IReadOnlyList<PhantomFee>> ListFeesAsync();

    /// <summary>Records the taxes of a sent invoice once.</summary>
    Task RecordTaxesAsync(TaxReportEntry entry);

    /// <summary>Marks an invoice's taxes voided: the tax report leaves them out.</summary>
    Task VoidTaxesAsync(string invoiceKey);

    [AlwaysInterleave]
    Task<IReadOnlyList<TaxReportEntry>> ListTaxesAsync();
}
