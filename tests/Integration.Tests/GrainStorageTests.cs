using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;
using Orleans.Storage;
using TenantBilling.Grains;
using TenantBilling.Integration.Tests.Grains;

namespace TenantBilling.Integration.Tests;

[Collection(PostgresTestGroup.Name)]
public sealed class GrainStorageTests(PostgresFixture postgres)
{
    [Fact]
    public async Task GrainStateSurvivesAFullRestart()
    {
        var ids = ClusterIds.New("restart-state");
        await using (var first = await PostgresCluster.StartAsync(postgres.ConnectionString, ids))
        {
            await first.Client.GetGrain<INoteGrain>("tenant-42").WriteAsync("kept across restarts");
            await first.StopAllSilosAsync();
        }

        Assert.Equal(0L, await Database.ScalarAsync<long>(
            postgres.ConnectionString,
            "SELECT count(*) FROM orleans_membership WHERE deployment_id = $1 AND status = $2",
            ids.ClusterId, (int)SiloStatus.Active));

        await using var second = await PostgresCluster.StartAsync(postgres.ConnectionString, ids);
        Assert.Equal("kept across restarts", await second.Client.GetGrain<INoteGrain>("tenant-42").ReadAsync());
    }

    [Fact]
    public async Task GrainStateIsStoredWithTheOrleansSerializer()
    {
        var ids = ClusterIds.New("serializer");
        await using var cluster = await PostgresCluster.StartAsync(postgres.ConnectionString, ids);
        await cluster.Client.GetGrain<INoteGrain>("tenant-7").WriteAsync("binary");

        var payload = await Database.ScalarAsync<byte[]>(
            postgres.ConnectionString,
            "SELECT payload_binary FROM orleans_storage WHERE service_id = $1 AND grain_type_string = $2",
            ids.ServiceId, NoteGrain.StateName);
        var serializer = cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress).GetRequiredService<Serializer>();

        Assert.Equal(new NoteState("binary", 1), serializer.Deserialize<NoteState>(payload));
    }

    [Fact]
    public async Task StaleWriterFailsWithInconsistentStateException()
    {
        var ids = ClusterIds.New("etag");
        await using var cluster = await PostgresCluster.StartAsync(postgres.ConnectionString, ids);
        var storage = cluster.GetSiloServiceProvider(cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(StorageNames.Billing);
        var grainId = GrainId.Create("it.note", "etag-probe");
        const string State = NoteGrain.StateName;

        // Two writers that both found no row: only the first insert may win.
        await storage.WriteStateAsync(State, grainId, new GrainState<NoteState>(new NoteState("first", 1)));
        await Assert.ThrowsAsync<InconsistentStateException>(
            () => storage.WriteStateAsync(State, grainId, new GrainState<NoteState>(new NoteState("racer", 1))));

        // Two writers that read the same version: whoever writes second is stale.
        var winner = await ReadAsync(storage, State, grainId);
        var loser = await ReadAsync(storage, State, grainId);
        Assert.Equal(winner.ETag, loser.ETag);
        winner.State = new NoteState("winner", 2);
        await storage.WriteStateAsync(State, grainId, winner);
        Assert.NotEqual(loser.ETag, winner.ETag);
        loser.State = new NoteState("loser", 2);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(State, grainId, loser));
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync(State, grainId, loser));

        var stored = await ReadAsync(storage, State, grainId);
        Assert.Equal(new NoteState("winner", 2), stored.State);
        Assert.Equal(winner.ETag, stored.ETag);

        // A clear with the current version succeeds and keeps versioning the row.
        await storage.ClearStateAsync(State, grainId, stored);
        var cleared = await ReadAsync(storage, State, grainId);
        Assert.False(cleared.RecordExists);
        Assert.Equal(stored.ETag, cleared.ETag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(State, grainId, winner));
    }

    private static async Task<GrainState<NoteState>> ReadAsync(IGrainStorage storage, string state, GrainId grainId)
    {
        var grainState = new GrainState<NoteState>();
        await storage.ReadStateAsync(state, grainId, grainState);
        return grainState;
    }
}
