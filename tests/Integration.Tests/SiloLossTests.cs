using System.Diagnostics;
using System.Net;
using TenantBilling.Integration.Tests.Processes;
using Xunit.Abstractions;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// Three silo processes and an API in client mode on PostgreSQL, under steady client traffic, while
/// silos are killed with -9 and started again: what a client sees, measured, and how fast the cluster heals.
/// </summary>
[Collection(ProcessTestGroup.Name)]
public sealed class SiloLossTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Accounts = 4;
    private const int TenantsPerAccount = 25;
    private const int Workers = 8;

    /// <summary>The API's bound on a call into the cluster (ClusterTuning.ApiResponseTimeout, 5 s) plus room for a loaded machine.</summary>
    private static readonly TimeSpan LongestAcceptable = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A bound that only catches a silo that never rejoins (a hang), whatever the machine's load: the promise of
    /// 15 s is a speed, measured and printed by the <c>rejoin</c> benchmark (docs/benchmarks.md), not asserted here.
    /// </summary>
    private static readonly TimeSpan RejoinBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task While_a_silo_dies_clients_get_503_with_retry_after_never_500_and_a_restarted_silo_serves_on_any_port()
    {
        await using var cluster = ProcessCluster.Create(postgres.ConnectionString, "silo-loss");
        // Short retention for dead rows, so the test sees them deleted (production keeps them an hour).
        cluster.Settings["Orleans__Membership__DefunctSiloExpiration"] = "00:00:02";
        cluster.Settings["Orleans__Membership__DefunctSiloMinimumRetention"] = "00:00:02";
        cluster.Settings["Orleans__Membership__DefunctSiloCleanupPeriod"] = "00:00:01";
        var silos = await Task.WhenAll(cluster.StartSiloAsync("silo-a"), cluster.StartSiloAsync("silo-b"), cluster.StartSiloAsync("silo-c"));
        var api = await cluster.StartApiAsync("api");
        var tenants = await SeedAsync(api);

        await using var traffic = Traffic.Start(
            Workers,
            _ => ProcessCluster.Client(api, key: null),
            (worker, n) => Request(tenants[(int)((worker * 7919 + n * 31) % tenants.Count)], n));
        await traffic.WaitUntilHealthyAsync(TimeSpan.Zero, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(60), "the start");

        var first = await LoseAndRestartAsync(cluster, traffic, silos[1], samePorts: false);
        var second = await LoseAndRestartAsync(cluster, traffic, silos[2], samePorts: true);
        await traffic.StopAsync();
        await traffic.WriteCsvAsync(Path.Combine(cluster.LogDirectory, "traffic.csv"));

        var all = traffic.Outcomes;
        Report("all traffic", Summary.Of(all, TimeSpan.Zero, traffic.Now));
        Assert.All(all, o => Assert.True(o.Succeeded || o.Status == 503, $"At {o.StartedAt.TotalSeconds:0.0} s: {o.Status} {o.Error}"));
        Assert.All(all.Where(o => o.Status == 503), o => Assert.True(o.RetryAfter && o.Problem, $"A 503 at {o.StartedAt.TotalSeconds:0.0} s without Retry-After or a ProblemDetails body"));
        Assert.True(all.Max(o => o.Duration) < LongestAcceptable, $"A request took {all.Max(o => o.Duration).TotalSeconds:0.0} s");
        Assert.True(first.Rejoin < RejoinBound, $"Restarted on new ports, the silo was Active after {first.Rejoin.TotalSeconds:0.0} s");
        Assert.True(second.Rejoin < RejoinBound, $"Restarted on its ports, the silo was Active after {second.Rejoin.TotalSeconds:0.0} s");

        // The first lost silo's row (Dead) is deleted once it is older than the retention.
        await PostgresCluster.WaitUntilAsync(
            async () => !(await cluster.MembershipAsync()).Any(row => row.Port == first.Port && row.Generation == first.Generation),
            TimeSpan.FromSeconds(60), "the dead silo's membership row is deleted");
        Report("membership after", string.Join(", ", (await cluster.MembershipAsync()).Select(r => $"{r.Port}/{r.Generation} {r.Status}")));
    }

    [Fact]
    public async Task A_lone_silo_killed_and_restarted_on_another_port_serves_again_without_waiting_for_votes()
    {
        await using var cluster = ProcessCluster.Create(postgres.ConnectionString, "lone-silo");
        var silo = await cluster.StartSiloAsync("silo");
        var api = await cluster.StartApiAsync("api");
        using var http = ProcessCluster.Client(api);
        await ApiCalls.AccountWithKeyAsync(http, "lone-acct");

        await silo.Process.KillAsync();
        var killed = Stopwatch.StartNew();
        // Nobody is left to vote the killed silo dead: the new one, on other ports, must see its row go stale.
        var restarted = await cluster.RestartAsync(silo, samePorts: false);
        var active = DateTimeOffset.UtcNow - restarted.Process.StartedAt;
        await ProcessCluster.WaitUntilReadyAsync(restarted, RejoinBound);
        await PostgresCluster.WaitUntilAsync(
            async () => (await http.GetAsync("/v1/accounts/lone-acct")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the account is served again");
        var served = killed.Elapsed;

        Report("lone silo restarted on new ports", $"Active {active.TotalSeconds:0.0} s after its process started; the API served the account again {served.TotalSeconds:0.0} s after the kill");
        Assert.True(active < RejoinBound, $"Active after {active.TotalSeconds:0.0} s");
    }

    private sealed record Loss(int Port, int Generation, TimeSpan DeclaredDead, TimeSpan Healthy, TimeSpan Rejoin);

    /// <summary>Kills the silo with -9, waits until clients are served again, restarts it and waits until it is Active, ready and clients are still served.</summary>
    private async Task<Loss> LoseAndRestartAsync(ProcessCluster cluster, Traffic traffic, SiloNode silo, bool samePorts)
    {
        var generation = (await cluster.MembershipAsync()).Where(r => r.Port == silo.SiloPort).Max(r => r.Generation);
        var killedAt = traffic.Now;
        await silo.Process.KillAsync();
        var declaredDead = WhenDeadAsync(cluster, silo.SiloPort, generation, traffic, killedAt);
        var healthyAt = await traffic.WaitUntilHealthyAsync(killedAt, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60), $"killing {silo.Name}");
        var dead = await declaredDead;

        var restarted = Stopwatch.StartNew();
        var restartedAt = traffic.Now;
        var again = await cluster.RestartAsync(silo, samePorts);
        var rejoin = restarted.Elapsed;
        await ProcessCluster.WaitUntilReadyAsync(again, RejoinBound);
        await traffic.WaitUntilHealthyAsync(restartedAt, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(60), $"restarting {silo.Name}");

        var loss = Summary.Of(traffic.Outcomes, killedAt, restartedAt);
        var rejoining = Summary.Of(traffic.Outcomes, restartedAt, traffic.Now);
        silo.Process.Note($"killed at {killedAt.TotalSeconds:0.000} s of the traffic");
        Report($"kill -9 {silo.Name}", $"at {killedAt.TotalSeconds:0.0} s of the traffic: declared dead after {dead.TotalSeconds:0.0} s; every request succeeds again from {(healthyAt - killedAt).TotalSeconds:0.0} s; {loss}");
        Report($"restart {silo.Name} on {(samePorts ? "the same" : "new")} ports", $"Active {rejoin.TotalSeconds:0.0} s after the process started; {rejoining}");
        return new Loss(silo.SiloPort, generation, dead, healthyAt - killedAt, rejoin);
    }

    /// <summary>When the silo's row turned Dead (or was already deleted as such: the test keeps dead rows 2 s).</summary>
    private static async Task<TimeSpan> WhenDeadAsync(ProcessCluster cluster, int port, int generation, Traffic traffic, TimeSpan since)
    {
        await PostgresCluster.WaitUntilAsync(
            async () => (await cluster.MembershipAsync()).SingleOrDefault(r => r.Port == port && r.Generation == generation) is null or { Status: SiloStatus.Dead },
            TimeSpan.FromSeconds(60), $"the silo on port {port} is declared dead");
        return traffic.Now - since;
    }

    /// <summary>Accounts with a key each and their tenants; returns (accountId, tenantId, key) for every tenant.</summary>
    private static async Task<List<(string Account, string Tenant, string Key)>> SeedAsync(ApiNode api)
    {
        using var operatorClient = ProcessCluster.Client(api);
        var tenants = new List<(string, string, string)>();
        for (var a = 0; a < Accounts; a++)
        {
            var accountId = $"loss-{a}";
            var (_, key) = await ApiCalls.AccountWithKeyAsync(operatorClient, accountId);
            using var accountClient = ProcessCluster.Client(api, key);
            await Task.WhenAll(Enumerable.Range(0, TenantsPerAccount).Select(t => ApiCalls.TenantAsync(accountClient, accountId, $"t{t}")));
            tenants.AddRange(Enumerable.Range(0, TenantsPerAccount).Select(t => (accountId, $"t{t}", key)));
        }

        return tenants;
    }

    /// <summary>Reads and rewrites (the same data: a 200 replay) tenants in turn, with their account's key.</summary>
    private static HttpRequestMessage Request((string Account, string Tenant, string Key) tenant, long n)
    {
        var request = n % 2 == 0
            ? new HttpRequestMessage(HttpMethod.Get, ApiCalls.TenantUrl(tenant.Account, tenant.Tenant))
            : new HttpRequestMessage(HttpMethod.Put, ApiCalls.TenantUrl(tenant.Account, tenant.Tenant)) { Content = ApiCalls.Json(ApiCalls.TenantBody) };
        request.Headers.Authorization = new("Bearer", tenant.Key);
        return request;
    }

    private void Report(string what, object figures) => output.WriteLine($"{what}: {figures}");
}
