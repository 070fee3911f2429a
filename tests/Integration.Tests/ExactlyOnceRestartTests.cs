using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.TestSupport;

namespace TenantBilling.Integration.Tests;

/// <summary>The test silos' billing clock and hand-over double, shared with the tests (silos run in this process).</summary>
public static class BillingDoubles
{
    public static ManualClock Clock { get; } = new(new DateTimeOffset(2026, 10, 5, 0, 0, 0, TimeSpan.Zero));

    public static HandOverRecorder HandOvers { get; } = new();
}

[Collection(PostgresTestGroup.Name)]
public sealed class ExactlyOnceRestartTests(PostgresFixture postgres)
{
    private static readonly PostalAddress Austin = new("100 Congress Ave", null, "Austin", "TX", "78701", "US");

    [Fact]
    public async Task An_invoice_due_before_a_full_restart_is_handed_over_once_after_it_by_its_persisted_alarm()
    {
        var ids = ClusterIds.New("exactly-once");
        var tenantKey = GrainKeys.Tenant("restart-acct", "t1");
        var invoiceKey = GrainKeys.MonthlyInvoice("restart-acct", "t1", "2026-10");
        BillingDoubles.Clock.Set(new DateTimeOffset(2026, 10, 5, 0, 0, 0, TimeSpan.Zero));

        await using (var first = await PostgresCluster.StartAsync(postgres.ConnectionString, ids, billing: true))
        {
            await first.Client.GetGrain<IAccountGrain>("restart-acct").CreateAsync("Restart VoIP");
            var tenant = first.Client.GetGrain<ITenantGrain>(tenantKey);
            await tenant.SaveDetailsAsync(new TenantDetails("Tenant", "+15125550100", "t@example.com", "Contact", "+15125550101", Austin));
            await tenant.ValidateAddressAsync();
            await tenant.SetBillingProfileAsync(new BillingProfileInput(false, false, 1, new Dictionary<string, decimal> { ["minutes_outbound"] = 0.01m }, []));

            // The statement arrives after the billing day: due at once. Every hand-over fails midway until
            // every silo has stopped.
            BillingDoubles.Clock.Set(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero));
            BillingDoubles.HandOvers.FailAll(invoiceKey, HandOverFault.BeforeWork);
            await tenant.AcceptStatementAsync("2026-10", new Statement(12m, new Dictionary<string, decimal> { ["minutes_outbound"] = 500 }));
            await PostgresCluster.WaitUntilAsync(() => Task.FromResult(BillingDoubles.HandOvers.Calls(invoiceKey) >= 1), TimeSpan.FromSeconds(30), "the first tick");
            await first.StopAllSilosAsync();
        }

        Assert.Null(BillingDoubles.HandOvers.Kept(invoiceKey));
        Assert.Equal(1L, await AlarmRemindersAsync(ids));   // what the restarted cluster has to go on: the account's alarm
        Assert.Equal(0L, await TenantRemindersAsync(ids));
        BillingDoubles.HandOvers.Heal(invoiceKey);

        await using var second = await PostgresCluster.StartAsync(postgres.ConnectionString, ids, billing: true);
        await PostgresCluster.WaitUntilAsync(
            () => Task.FromResult(BillingDoubles.HandOvers.Kept(invoiceKey) is not null), TimeSpan.FromSeconds(60), "the alarm hands the invoice over after the restart");
        var tenantAfter = second.Client.GetGrain<ITenantGrain>(tenantKey);
        await PostgresCluster.WaitUntilAsync(
            async () => (await tenantAfter.ListInvoicesAsync()).Single().Status == InvoiceStatus.HandedOver, TimeSpan.FromSeconds(10), "the hand-over is recorded");
        var calls = BillingDoubles.HandOvers.Calls(invoiceKey);

        // Nothing is left to send, so the alarm is unregistered: its row is gone from PostgreSQL.
        await PostgresCluster.WaitUntilAsync(async () => await AlarmRemindersAsync(ids) == 0, TimeSpan.FromSeconds(10), "the alarm's row is deleted");

        // Restarting again, and ticking again, hands nothing over and registers nothing: the stage is in PostgreSQL.
        await second.StopAllSilosAsync();
        await using var third = await PostgresCluster.StartAsync(postgres.ConnectionString, ids, billing: true);
        await third.Client.GetGrain<ITenantGrain>(tenantKey).AsReference<IRemindable>().ReceiveReminder("invoice-due", default);

        Assert.Equal(0L, await AlarmRemindersAsync(ids) + await TenantRemindersAsync(ids));
        Assert.Equal(calls, BillingDoubles.HandOvers.Calls(invoiceKey));
        Assert.Equal(InvoiceStatus.HandedOver, (await third.Client.GetGrain<ITenantGrain>(tenantKey).ListInvoicesAsync()).Single().Status);
        var kept = BillingDoubles.HandOvers.Kept(invoiceKey)!;
        Assert.All(BillingDoubles.HandOvers.Drafts(invoiceKey), draft => Assert.True(HandOverRecorder.SameContent(kept, draft)));
    }

    /// <summary>The billing alarms of the test's account stored for the test's deployment.</summary>
    private Task<long> AlarmRemindersAsync(ClusterIds ids) => Database.ScalarAsync<long>(
        postgres.ConnectionString,
        "SELECT count(*) FROM orleans_reminders WHERE service_id = $1 AND reminder_name = 'wake-tenants' AND grain_id LIKE 'billing-alarm/restart-acct/%'",
        ids.ServiceId);

    /// <summary>Reminders of the tenant's own (earlier versions registered one per tenant; none now).</summary>
    private Task<long> TenantRemindersAsync(ClusterIds ids) => Database.ScalarAsync<long>(
        postgres.ConnectionString, "SELECT count(*) FROM orleans_reminders WHERE service_id = $1 AND grain_id LIKE 'tenant/%'", ids.ServiceId);
}
