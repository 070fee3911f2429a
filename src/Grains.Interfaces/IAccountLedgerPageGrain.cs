using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// One page of an account's ledger month, keyed <see cref="GrainKeys.AccountLedgerPage"/>: a bounded run of its
/// fees and tax entries, written only by the month's <see cref="IAccountLedgerGrain"/>, so that recording one
/// more rewrites a page, never the month.
/// </summary>
public interface IAccountLedgerPageGrain : IGrainWithStringKey
{
    /// <summary>Adds the records whose invoice key the page does not hold yet, in one write. A fee is never changed or removed.</summary>
    Task AppendAsync(IReadOnlyList<PhantomFee> fees, IReadOnlyList<TaxReportEntry> taxes);

    /// <summary>Marks an invoice's taxes voided; false when the page does not hold them.</summary>
    Task<bool> VoidTaxesAsync(string invoiceKey);

    /// <summary>The page's records.</summary>
    [AlwaysInterleave]
    Task<LedgerPage> ReadAsync();
}
