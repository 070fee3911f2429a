using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Grains.Domain.BillRuns;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.BillRuns;

/// <summary>
/// One billing day across accounts: the list of accounts with a run that day (one write per account and day), and
/// the day's view, asked of each account's run (64 at a time) and combined by <see cref="BillRunPace.Combine"/>.
/// </summary>
[GrainType("bill-run-day")]
public sealed class BillRunDayGrain(
    [PersistentState("bill-run-day", StorageNames.Billing)] IPersistentState<BillRunDayState> state,
    [FromKeyedServices(BillingClock.Key)] TimeProvider time) : Grain, IBillRunDayGrain
{
    private const int Concurrency = 64;

    private string Day => this.GetPrimaryKeyString();

    public async Task AddAccountAsync(string accountId)
    {
        var ids = state.State.AccountIds;
        var index = ids.BinarySearch(accountId, StringComparer.Ordinal);
        if (index < 0)
        {
            ids.Insert(~index, accountId);
            await state.WriteStateAsync();
        }
    }

    public async Task<BillRunView> GetAsync()
    {
        var views = new List<BillRunView>();
        foreach (var chunk in state.State.AccountIds.ToList().Chunk(Concurrency))
        {
            views.AddRange(await Task.WhenAll(chunk.Select(id => GrainFactory.GetGrain<IBillRunGrain>(GrainKeys.BillRun(id, Day)).GetAsync())));
        }

        return BillRunPace.Combine(Day, views, time.GetUtcNow());
    }
}
