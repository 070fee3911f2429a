using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// One account's bill run for one billing day, keyed <see cref="GrainKeys.BillRun"/>: the account's monthly invoices
/// due that day (UTC), each at the status its tenant or its invoice last reported. Counts, pace and failures come
/// from here, never from reading the invoices.
/// </summary>
public interface IBillRunGrain : IGrainWithStringKey
{
    /// <summary>The invoice's status now. Reports from one invoice arrive in the order they happened; the last one counts.</summary>
    Task ReportAsync(BillRunReport report);

    [AlwaysInterleave]
    Task<BillRunView> GetAsync();
}
