using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.TestSupport;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// The hand-over reaches the invoice, then its record can't be written (PostgreSQL refuses the tenant's
/// writes), and every silo stops: the restarted cluster's alarm hands the same invoice over again and records
/// it, so there is one invoice, and nothing is left scheduled or registered.
/// </summary>
[Collection(PostgresTestGroup.Name)]
public sealed class HandOverRestartTests(PostgresFixture postgres)
{
    private static readonly PostalAddress Austin = new("100 Congress Ave", null, "Austin", "TX", "78701", "US");

    [Fact]
    public async Task A_hand_over_whose_record_was_never_written_before_a_full_restart_stays_one_invoice()
    {
        var ids = ClusterIds.New("unrecorded");
        var accountId = $"unrec-{Guid.NewGuid():N}"[..20];
        var tenantKey = GrainKeys.Tenant(accountId, "t1");
        var invoiceKey = GrainKeys.MonthlyInvoice(accountId, "t1", "2026-10");
        BillingDoubles.Clock.Set(new DateTimeOffset(2026, 10, 5, 0, 0, 0, TimeSpan.Zero));
        await InstallRefusalAsync();

        await using (var first = await PostgresCluster.StartAsync(postgres.ConnectionString, ids, billing: true))
        {
            await first.Client.GetGrain<IAccountGrain>(accountId).CreateAsync("Unrecorded VoIP");
            var tenant = first.Client.GetGrain<ITenantGrain>(tenantKey);
            await tenant.SaveDetailsAsync(new TenantDetails("Tenant", "+15125550100", "t@example.com", "Contact", "+15125550101", Austin));
            await tenant.ValidateAddressAsync();
            await tenant.SetBillingProfileAsync(new BillingProfileInput(false, false, 1, new Dictionary<string, decimal> { ["minutes_outbound"] = 0.01m }, []));

            // Due at once; from here on every write of the tenant fails, so each hand-over reaches the invoice and none is recorded.
            BillingDoubles.Clock.Set(new DateTimeOffset(2026, 11, 2, 0, 0, 0, TimeSpan.Zero));
            await tenant.AcceptStatementAsync("2026-10", new Statement(12m, new Dictionary<string, decimal> { ["minutes_outbound"] = 500 }));
            await RefuseTenantWritesAsync(tenantKey);
            await PostgresCluster.WaitUntilAsync(() => Task.FromResult(BillingDoubles.HandOvers.Calls(invoiceKey) >= 2), TimeSpan.FromSeconds(30), "the hand-over is repeated while its record fails");

            // Meanwhile the month counts as invoiced: other content is refused.
            var refused = await Assert.ThrowsAsync<BillingProblemException>(() => tenant.AcceptStatementAsync("2026-10", new Statement(13m, new Dictionary<string, decimal>())));
            Assert.Equal(ProblemKind.Conflict, refused.Kind);
            await first.StopAllSilosAsync();
        }

        var kept = BillingDoubles.HandOvers.Kept(invoiceKey)!;
        Assert.True(await AlarmRemindersAsync(ids, accountId) >= 1);   // what the restarted cluster goes on
        await AllowTenantWritesAsync(tenantKey);

        await using var second = await PostgresCluster.StartAsync(postgres.ConnectionString, ids, billing: true);
        var tenantAfter = second.Client.GetGrain<ITenantGrain>(tenantKey);
        await PostgresCluster.WaitUntilAsync(
            async () => (await tenantAfter.GetAsync())!.NextInvoice is null, TimeSpan.FromSeconds(60), "the alarm records the hand-over after the restart");
        await PostgresCluster.WaitUntilAsync(async () => await AlarmRemindersAsync(ids, accountId) == 0, TimeSpan.FromSeconds(30), "the alarm's row is deleted");
        var calls = BillingDoubles.HandOvers.Calls(invoiceKey);

        await tenantAfter.HandOverDueAsync();
        Assert.Equal(calls, BillingDoubles.HandOvers.Calls(invoiceKey));
        Assert.Same(kept, BillingDoubles.HandOvers.Kept(invoiceKey));
        Assert.All(BillingDoubles.HandOvers.Drafts(invoiceKey), draft => Assert.True(HandOverRecorder.SameContent(kept, draft)));
        Assert.Equal(InvoiceStatus.HandedOver, Assert.Single(await tenantAfter.ListInvoicesAsync()).Status);
        Assert.Equal(0L, await Database.ScalarAsync<long>(
            postgres.ConnectionString, "SELECT count(*) FROM orleans_reminders WHERE service_id = $1 AND grain_id LIKE 'tenant/%'", ids.ServiceId));
    }

    /// <summary>A trigger that makes PostgreSQL refuse updates of the grain-state rows listed in test_refused_writes, as a database failing just then would.</summary>
    private Task InstallRefusalAsync() =>
        Database.ExecuteAsync(postgres.ConnectionString, """
            CREATE TABLE IF NOT EXISTS test_refused_writes (grain_key text PRIMARY KEY);
            CREATE OR REPLACE FUNCTION test_refuse_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF EXISTS (SELECT 1 FROM test_refused_writes WHERE grain_key = NEW.grain_id_extension_string) THEN
                    RAISE EXCEPTION 'refused by the test';
                END IF;
                RETURN NEW;
            END $$;
            DROP TRIGGER IF EXISTS test_refuse_write ON orleans_storage;
            CREATE TRIGGER test_refuse_write BEFORE UPDATE ON orleans_storage FOR EACH ROW EXECUTE FUNCTION test_refuse_write();
            """);

    private Task RefuseTenantWritesAsync(string tenantKey) =>
        Database.ExecuteAsync(postgres.ConnectionString, "INSERT INTO test_refused_writes VALUES ($1) ON CONFLICT DO NOTHING", tenantKey);

    private Task AllowTenantWritesAsync(string tenantKey) =>
        Database.ExecuteAsync(postgres.ConnectionString, "DELETE FROM test_refused_writes WHERE grain_key = $1", tenantKey);

    private Task<long> AlarmRemindersAsync(ClusterIds ids, string accountId) => Database.ScalarAsync<long>(
        postgres.ConnectionString, "SELECT count(*) FROM orleans_reminders WHERE service_id = $1 AND grain_id LIKE $2", ids.ServiceId, $"billing-alarm/{accountId}/%");
}
