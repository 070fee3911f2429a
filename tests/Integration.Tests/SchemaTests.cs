using TenantBilling.Integration.Tests.Grains;
using TenantBilling.Silo.Hosting;

namespace TenantBilling.Integration.Tests;

[Collection(PostgresTestGroup.Name)]
public sealed class SchemaTests(PostgresFixture postgres)
{
    // Every statement the Orleans 10.4.2 ADO.NET clustering, storage and reminder providers look up.
    private static readonly string[] OrleansQueryKeys =
    [
        "CleanupDefunctSiloEntriesKey", "ClearStorageKey", "DeleteMembershipTableEntriesKey", "DeleteReminderRowKey",
        "DeleteReminderRowsKey", "GatewaysQueryKey", "InsertMembershipKey", "InsertMembershipVersionKey",
        "MembershipReadAllKey", "MembershipReadRowKey", "ReadFromStorageKey", "ReadRangeRows1Key", "ReadRangeRows2Key",
        "ReadReminderRowKey", "ReadReminderRowsKey", "UpdateIAmAlivetimeKey", "UpdateMembershipKey",
        "UpsertReminderRowKey", "WriteToStorageKey",
    ];

    private static readonly string[] Tables =
        ["orleansquery", "orleans_membership_version", "orleans_membership", "orleans_storage", "orleans_reminders"];

    [Fact]
    public async Task ApplyingTheSchemaTwiceKeepsEveryRow()
    {
        var database = await postgres.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(database);
        await Database.ExecuteAsync(database, """
            INSERT INTO orleans_membership_version (deployment_id, version) VALUES ('c1', 7);
            INSERT INTO orleans_membership (deployment_id, address, port, generation, silo_name, host_name, status,
                proxy_port, start_time, i_am_alive_time)
            VALUES ('c1', '10.0.0.1', 11111, 42, 'silo-1', 'host-1', 3, 30000, now(), now());
            INSERT INTO orleans_storage (grain_id_hash, grain_type_hash, service_id, grain_type_string, grain_id_n0,
                grain_id_n1, grain_id_extension_string, payload_binary, version)
            VALUES (1, 2, 's1', 'note', 0, 0, 'tenant-1', '\x0102'::bytea, 5);
            INSERT INTO orleans_reminders (service_id, grain_id, reminder_name, start_time, period, grain_hash, version)
            VALUES ('s1', 'alarm/1', 'r', now(), 60000, 9, 3);
            """);
        var before = await SnapshotAsync(database);

        await PostgresSchema.ApplyAsync(database);

        Assert.Equal(before, await SnapshotAsync(database));
        string[] inserted = ["c1|10.0.0.1|11111|42", "c1|7", "s1|alarm/1|r|3", "s1|note|tenant-1|5"];
        var rows = await Database.ListAsync(database, """
            SELECT deployment_id || '|' || version FROM orleans_membership_version
            UNION ALL SELECT deployment_id || '|' || address || '|' || port || '|' || generation FROM orleans_membership
            UNION ALL SELECT service_id || '|' || grain_type_string || '|' || grain_id_extension_string || '|' || version FROM orleans_storage
            UNION ALL SELECT service_id || '|' || grain_id || '|' || reminder_name || '|' || version FROM orleans_reminders
            """, reader => reader.GetString(0));
        Assert.Equal(inserted, rows.Order(StringComparer.Ordinal));
        Assert.Equal(OrleansQueryKeys, await QueryKeysAsync(database));
    }

    [Fact]
    public async Task ApplyingTheSchemaAgainRestoresAChangedQuery()
    {
        var database = await postgres.CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(database);
        const string Select = "SELECT QueryText FROM OrleansQuery WHERE QueryKey = 'WriteToStorageKey'";
        var shipped = await Database.ScalarAsync<string>(database, Select);
        await Database.ExecuteAsync(database, "UPDATE OrleansQuery SET QueryText = 'SELECT 1' WHERE QueryKey = 'WriteToStorageKey'");

        await PostgresSchema.ApplyAsync(database);

        Assert.Equal(shipped, await Database.ScalarAsync<string>(database, Select));
        Assert.Contains("@GrainStateVersion", shipped, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ConcurrentApplicationsOnAnEmptyDatabaseAllSucceed()
    {
        var database = await postgres.CreateDatabaseAsync();

        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => PostgresSchema.ApplyAsync(database))));

        Assert.Equal(OrleansQueryKeys, await QueryKeysAsync(database));
    }

    [Fact]
    public async Task SilosStartingOnAnEmptyDatabaseApplyTheSchemaThemselves()
    {
        var database = await postgres.CreateDatabaseAsync();

        await using var cluster = await PostgresCluster.StartAsync(database, ClusterIds.New("empty-database"), silos: 2);
        await cluster.Client.GetGrain<INoteGrain>("tenant-1").WriteAsync("stored");

        Assert.Equal(OrleansQueryKeys, await QueryKeysAsync(database));
        Assert.Equal(1L, await Database.ScalarAsync<long>(database, "SELECT count(*) FROM orleans_storage"));
    }

    private static Task<List<string>> QueryKeysAsync(string database) =>
        Database.ListAsync(database, "SELECT QueryKey FROM OrleansQuery ORDER BY QueryKey COLLATE \"C\"", reader => reader.GetString(0));

    private static async Task<List<string>> SnapshotAsync(string database)
    {
        var snapshot = new List<string>();
        foreach (var table in Tables)
        {
            snapshot.AddRange(await Database.ListAsync(
                database, $"SELECT t::text FROM {table} AS t ORDER BY 1", reader => $"{table}: {reader.GetString(0)}"));
        }

        return snapshot;
    }
}
