using TenantBilling.Integration.Tests.Grains;

namespace TenantBilling.Integration.Tests;

[Collection(PostgresTestGroup.Name)]
public sealed class ReminderTests(PostgresFixture postgres)
{
    [Fact]
    public async Task ReminderRegisteredBeforeAFullRestartFiresAfterIt()
    {
        var ids = ClusterIds.New("restart-reminder");
        await using (var first = await PostgresCluster.StartAsync(postgres.ConnectionString, ids))
        {
            await first.Client.GetGrain<IAlarmGrain>("tenant-9").SetAsync(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
            await first.StopAllSilosAsync();
        }

        Assert.Equal(1L, await Database.ScalarAsync<long>(
            postgres.ConnectionString, "SELECT count(*) FROM orleans_reminders WHERE service_id = $1", ids.ServiceId));

        // The restarted cluster knows the reminder from PostgreSQL alone; a tick it delivers names one of its silos.
        await using var second = await PostgresCluster.StartAsync(postgres.ConnectionString, ids);
        var restartedSilos = second.Silos.Select(silo => silo.SiloAddress.ToString()).ToHashSet();
        var alarm = second.Client.GetGrain<IAlarmGrain>("tenant-9");
        await PostgresCluster.WaitUntilAsync(
            async () => await alarm.LastTickSiloAsync() is { } silo && restartedSilos.Contains(silo),
            TimeSpan.FromSeconds(30), "the restarted cluster delivers a tick");
    }
}
