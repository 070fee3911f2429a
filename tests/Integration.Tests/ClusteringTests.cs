using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Integration.Tests.Grains;

namespace TenantBilling.Integration.Tests;

[Collection(PostgresTestGroup.Name)]
public sealed class ClusteringTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task TwoSilosFormOneClusterAndServeCallsFromEither()
    {
        var ids = ClusterIds.New("two-silos");
        await using var cluster = await PostgresCluster.StartAsync(postgres.ConnectionString, ids, silos: 2);
        var silos = cluster.Silos.ToList();
        var expected = silos.Select(silo => silo.SiloAddress.ToString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(2, expected.Distinct().Count());

        await PostgresCluster.WaitUntilAsync(
            async () => (await ActiveSilosInTableAsync(ids.ClusterId)).SequenceEqual(expected),
            Timeout, "both silos are Active in orleans_membership");
        foreach (var silo in silos)
        {
            var membership = cluster.GetSiloServiceProvider(silo.SiloAddress).GetRequiredService<IClusterMembershipService>();
            await PostgresCluster.WaitUntilAsync(
                () => Task.FromResult(ActiveMembers(membership.CurrentSnapshot).SequenceEqual(expected)),
                Timeout, $"{silo.SiloAddress} sees both silos Active");
        }

        var fromFirst = cluster.GetSiloServiceProvider(silos[0].SiloAddress).GetRequiredService<IGrainFactory>().GetGrain<INoteGrain>("shared");
        var fromSecond = cluster.GetSiloServiceProvider(silos[1].SiloAddress).GetRequiredService<IGrainFactory>().GetGrain<INoteGrain>("shared");
        await fromFirst.WriteAsync("written through the first silo");
        Assert.Equal("written through the first silo", await fromSecond.ReadAsync());
        await fromSecond.WriteAsync("written through the second silo");
        Assert.Equal("written through the second silo", await fromFirst.ReadAsync());
        Assert.Equal("written through the second silo", await cluster.Client.GetGrain<INoteGrain>("shared").ReadAsync());
    }

    private async Task<List<string>> ActiveSilosInTableAsync(string clusterId)
    {
        var silos = await Database.ListAsync(
            postgres.ConnectionString,
            "SELECT address, port, generation FROM orleans_membership WHERE deployment_id = $1 AND status = $2",
            reader => SiloAddress.New(IPAddress.Parse(reader.GetString(0)), reader.GetInt32(1), reader.GetInt32(2)).ToString(),
            clusterId, (int)SiloStatus.Active);
        return [.. silos.Order(StringComparer.Ordinal)];
    }

    private static IEnumerable<string> ActiveMembers(ClusterMembershipSnapshot snapshot) =>
        snapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .Select(member => member.SiloAddress.ToString())
            .Order(StringComparer.Ordinal);
}
