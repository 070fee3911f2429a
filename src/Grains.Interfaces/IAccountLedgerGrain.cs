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

    /// <summary>
    /// An invoice of this month was voided. While the month is open its taxes are left out of its report; once
    /// it has closed, its report never changes, and the taxes go back as adjustment rows in the month of the void.
    /// </summary>
    Task VoidTaxesAsync(string invoiceKey);

    /// <summary>Records, once per <see cref="TaxReportEntry.RecordKey"/>, taxes given back on an earlier invoice (negative amounts).</summary>
    Task RecordTaxAdjustmentAsync(TaxReportEntry adjustment);

    [AlwaysInterleave]
    Task<IReadOnlyList<TaxReportEntry>> ListTaxesAsync();
}
