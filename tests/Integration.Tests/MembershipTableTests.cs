using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.MembershipService;
using TenantBilling.Silo.Hosting;

namespace TenantBilling.Integration.Tests;

/// <summary>The membership statements, driven through the Orleans ADO.NET membership table itself.</summary>
[Collection(PostgresTestGroup.Name)]
public sealed class MembershipTableTests(PostgresFixture postgres)
{
    private static readonly DateTime Started = new(2030, 1, 2, 3, 4, 5, 678, DateTimeKind.Utc);

    [Fact]
    public async Task MembershipWritesNeedTheCurrentTableVersion()
    {
        var table = await CreateTableAsync($"membership-{Guid.NewGuid():N}");
        var empty = await table.ReadAllAsync();
        Assert.Empty(empty.Members);

        var first = Entry(port: 1001, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(first, empty.Version.Next()));
        Assert.False(await table.InsertRowAsync(Entry(port: 1002, SiloStatus.Joining), empty.Version.Next()));

        var afterInsert = await table.ReadAllAsync();
        var (stored, etag) = Assert.Single(afterInsert.Members);
        Assert.Equal(first.ToFullString(), stored.ToFullString());
        Assert.Equal(empty.Version.Version + 1, afterInsert.Version.Version);
        Assert.False(await table.InsertRowAsync(first, afterInsert.Version.Next()));
        Assert.Equal(afterInsert.Version.Version, (await table.ReadAllAsync()).Version.Version);

        first.Status = SiloStatus.Active;
        first.AddSuspector(SiloAddress.New(IPAddress.Loopback, 1003, 1), Started.AddSeconds(1));
        Assert.True(await table.UpdateRowAsync(first, etag, afterInsert.Version.Next()));
        var lateWrite = Entry(port: 1001, SiloStatus.Dead);
        Assert.False(await table.UpdateRowAsync(lateWrite, etag, afterInsert.Version.Next()));

        var afterUpdate = await table.ReadRowAsync(first.SiloAddress);
        Assert.Equal(first.ToFullString(), Assert.Single(afterUpdate.Members).Item1.ToFullString());
        Assert.Equal(afterInsert.Version.Version + 1, afterUpdate.Version.Version);
    }

    [Fact]
    public async Task HeartbeatsCleanupAndDeletionTouchOnlyTheirRows()
    {
        var clusterId = $"membership-{Guid.NewGuid():N}";
        var table = await CreateTableAsync(clusterId);
        var active = Entry(port: 2001, SiloStatus.Active);
        var dead = Entry(port: 2002, SiloStatus.Dead);
        // Still joining, on a machine slow enough that its row looks old: cleanup must not make it find itself dead.
        var joining = Entry(port: 2003, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(active, (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await table.InsertRowAsync(dead, (await table.ReadAllAsync()).Version.Next()));
        Assert.True(await table.InsertRowAsync(joining, (await table.ReadAllAsync()).Version.Next()));
        var versionBefore = (await table.ReadAllAsync()).Version.Version;

        active.IAmAliveTime = Started.AddMinutes(10);
        await table.UpdateIAmAliveAsync(active);
        var heartbeat = await table.ReadRowAsync(active.SiloAddress);
        Assert.Equal(Started.AddMinutes(10), Assert.Single(heartbeat.Members).Item1.IAmAliveTime);
        Assert.Equal(versionBefore, heartbeat.Version.Version);

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Started.AddMinutes(5)));
        var remaining = await table.ReadAllAsync();
        Assert.Equal([active.SiloAddress, joining.SiloAddress], remaining.Members.Select(m => m.Item1.SiloAddress).OrderBy(a => a.Endpoint.Port));

        await table.DeleteMembershipTableEntriesAsync(clusterId);
        Assert.Equal(0L, await Database.ScalarAsync<long>(
            postgres.ConnectionString,
            "SELECT (SELECT count(*) FROM orleans_membership WHERE deployment_id = $1) + (SELECT count(*) FROM orleans_membership_version WHERE deployment_id = $1)",
            clusterId));
    }

    private async Task<AdoNetClusteringTable> CreateTableAsync(string clusterId)
    {
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = clusterId }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = PostgresHosting.Invariant, ConnectionString = postgres.ConnectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return table;
    }

    private static MembershipEntry Entry(int port, SiloStatus status) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 7),
        SiloName = $"silo-{port}",
        HostName = "test-host",
        Status = status,
        ProxyPort = port + 10000,
        StartTime = Started,
        IAmAliveTime = Started,
    };
}
