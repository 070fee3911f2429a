using Microsoft.Extensions.DependencyInjection;

namespace TenantBilling.Integration.Tests;

/// <summary>The reminder statements, driven through the Orleans ADO.NET reminder table of a silo.</summary>
[Collection(PostgresTestGroup.Name)]
public sealed class ReminderTableTests(PostgresFixture postgres)
{
    private static readonly DateTime StartAt = new(2030, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);

    [Fact]
    public async Task RangeReadsFollowTheRingAndDeletesNeedTheCurrentETag()
    {
        await using var cluster = await PostgresCluster.StartAsync(postgres.ConnectionString, ClusterIds.New("reminder-table"));
        var table = cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress).GetRequiredService<IReminderTable>();
        var grains = Enumerable.Range(0, 3).Select(i => GrainId.Create("it.alarm", $"tenant-{i}")).ToList();
        var etags = new Dictionary<GrainId, string?>();
        foreach (var grain in grains)
        {
            etags[grain] = await table.UpsertRow(Reminder(grain, TimeSpan.FromMinutes(5)));
        }

        foreach (var grain in grains)
        {
            var hash = grain.GetUniformHashCode();
            // (hash - 1, hash] holds this grain only; (hash, hash - 1] wraps around the ring and holds the others.
            Assert.Equal([grain], await GrainsInRangeAsync(table, hash - 1, hash));
            Assert.Equal(grains.Where(other => other != grain).Order(), await GrainsInRangeAsync(table, hash, hash - 1));
        }

        var first = grains[0];
        var row = await table.ReadRow(first, "alarm");
        Assert.NotNull(row);
        Assert.Equal((first, "alarm", StartAt, TimeSpan.FromMinutes(5), etags[first]), (row.GrainId, row.ReminderName, row.StartAt, row.Period, row.ETag));
        Assert.Equal([first], (await table.ReadRows(first)).Reminders.Select(reminder => reminder.GrainId));

        var replaced = await table.UpsertRow(Reminder(first, TimeSpan.FromMinutes(10)));
        Assert.NotEqual(etags[first], replaced);
        Assert.False(await table.RemoveRow(first, "alarm", etags[first]!));
        Assert.True(await table.RemoveRow(first, "alarm", replaced!));
        Assert.Null(await table.ReadRow(first, "alarm"));
    }

    private static async Task<List<GrainId>> GrainsInRangeAsync(IReminderTable table, uint begin, uint end) =>
        [.. (await table.ReadRows(begin, end)).Reminders.Select(reminder => reminder.GrainId).Order()];

    private static ReminderEntry Reminder(GrainId grain, TimeSpan period) =>
        new() { GrainId = grain, ReminderName = "alarm", StartAt = StartAt, Period = period };
}
