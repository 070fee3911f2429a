using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// One billing day across accounts, keyed <see cref="GrainKeys.BillRunDay"/>: the accounts with a bill run that day
/// (each account's run adds itself once), and the day's view combined from theirs.
/// </summary>
public interface IBillRunDayGrain : IGrainWithStringKey
{
    /// <summary>Adds an account with a run that day (idempotent; stored before it returns).</summary>
    Task AddAccountAsync(string accountId);

    /// <summary>The day's run: every account's counts, pace and failures combined, with a row per account.</summary>
    [AlwaysInterleave]
    Task<BillRunView> GetAsync();
}
