using TenantBilling.Grains.BillRuns;
using TenantBilling.Grains.Domain.BillRuns;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;

namespace TenantBilling.Grains.Tests;

/// <summary>A bill run writes its reports behind, once per flush, and the write goes through.</summary>
[Collection(BillingClusterTests.Name)]
public sealed class BillRunTests(BillingCluster cluster)
{
    [Fact]
    public async Task Reports_are_written_behind_in_one_write_that_goes_through()
    {
        var accountId = $"bill-run-{Guid.NewGuid():N}";
        var key = GrainKeys.BillRun(accountId, "2026-11-20");
        var run = cluster.Grains.GetGrain<IBillRunGrain>(key);

        await Task.WhenAll(Enumerable.Range(0, 5).Select(i => run.ReportAsync(new BillRunReport($"t{i}", "2026-10", InvoiceStatus.HandedOver, null))));
        await run.ReportAsync(new BillRunReport("t0", "2026-10", InvoiceStatus.Sent, null));

        await Eventually.TrueAsync(
            async () => (await cluster.StoredAsync<BillRunState>("bill-run", "bill-run", key)).Invoices.Count == 5,
            TimeSpan.FromSeconds(30));
        var stored = await cluster.StoredAsync<BillRunState>("bill-run", "bill-run", key);
        Assert.Equal(InvoiceStatus.Sent, stored.Invoices["t0/2026-10"].Status);
        Assert.True(stored.ListedForDay);

        // Written and done: a write that failed would be tried again every flush delay.
        var writes = cluster.Faults.Writes("bill-run", accountId);
        await Task.Delay(2 * BillRunGrain.FlushDelay);
        Assert.Equal(writes, cluster.Faults.Writes("bill-run", accountId));
    }
}
