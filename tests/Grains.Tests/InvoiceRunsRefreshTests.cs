using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Invoices;
using TenantBilling.Grains.Tests.Support;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// The record of an account's invoices in flight, when storage holds entries its activation never saw (as when a
/// second activation took them while a silo left the cluster): the next round of pings reads them back and
/// registers the reminder those entries need. The invoice grain is
/// the hand-over double here, so every ping fails and each entry stays, which lets the tests count them.
/// </summary>
[Collection(BillingClusterTests.Name)]
public sealed class InvoiceRunsRefreshTests(BillingCluster cluster)
{
    [Fact]
    public async Task Entries_stored_behind_an_activation_are_pinged_with_its_next_round()
    {
        var account = $"runs-{Guid.NewGuid():N}";
        var runs = cluster.Grains.GetGrain<IInvoiceRunsGrain>(account);
        await runs.StartedAsync($"{account}/t1/2026-10");
        Assert.Equal(1, await runs.ResumeAllAsync());

        await StoreBehindAsync(account, $"{account}/t1/2026-10", $"{account}/t2/2026-10");

        Assert.Equal(2, await runs.ResumeAllAsync());
    }

    [Fact]
    public async Task Entries_stored_behind_an_emptied_activation_are_pinged_and_get_their_reminder_back()
    {
        var account = $"runs-{Guid.NewGuid():N}";
        var runs = cluster.Grains.GetGrain<IInvoiceRunsGrain>(account);
        await runs.StartedAsync($"{account}/t1/2026-10");
        await runs.FinishedAsync($"{account}/t1/2026-10");
        await Eventually(async () => (await Stored(account)).InFlight.Count == 0 && !(await cluster.ReminderNamesAsync(runs)).Contains(InvoiceRunsGrain.Reminder));

        await StoreBehindAsync(account, $"{account}/t2/2026-10");

        Assert.Equal(1, await runs.ResumeAllAsync());
        Assert.Contains(InvoiceRunsGrain.Reminder, await cluster.ReminderNamesAsync(runs));
    }

    [Fact]
    public async Task An_invoice_that_left_is_not_taken_back_from_storage_before_its_leaving_is_written()
    {
        var account = $"runs-{Guid.NewGuid():N}";
        var runs = cluster.Grains.GetGrain<IInvoiceRunsGrain>(account);
        await runs.StartedAsync($"{account}/t1/2026-10");
        await runs.StartedAsync($"{account}/t2/2026-10");
        await runs.FinishedAsync($"{account}/t1/2026-10");
        Assert.Equal(2, (await Stored(account)).InFlight.Count);

        Assert.Equal(1, await runs.ResumeAllAsync());
    }

    private Task<InvoiceRunsState> Stored(string account) => cluster.StoredAsync<InvoiceRunsState>("invoice-runs", "invoice-runs", account);

    /// <summary>Writes the record past the activation, as another activation of the same grain would.</summary>
    private async Task StoreBehindAsync(string account, params string[] inFlight)
    {
        var storage = cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(StorageNames.Billing);
        var state = new GrainState<InvoiceRunsState>(new InvoiceRunsState());
        var id = GrainId.Create("invoice-runs", account);
        await storage.ReadStateAsync("invoice-runs", id, state);
        state.State = new InvoiceRunsState { InFlight = [.. inFlight] };
        await storage.WriteStateAsync("invoice-runs", id, state);
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 100 && !await condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(await condition(), "the record and its reminder did not settle within 10 s");
    }
}
