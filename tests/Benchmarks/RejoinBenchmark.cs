using System.Diagnostics;
using System.Globalization;
using TenantBilling.Benchmarks.EndToEnd;
using TenantBilling.Integration.Tests.Processes;
using TenantBilling.Silo.Hosting;

namespace TenantBilling.Benchmarks;

/// <summary>
/// How fast a silo killed with -9 serves again (issue 10: within 15 s, same or another port): real silo
/// processes on a fresh PostgreSQL database (the integration tests' process harness), one of them killed
/// and started again at once, as a supervisor would, on its own ports and then on new ones. Prints, per
/// restart, the time from the kill to the new process's row being Active and to its readiness probe
/// (<c>/health/ready</c>: an active member whose grains read their state from PostgreSQL) answering 200.
/// <c>SiloLossTests</c> checks that the silo rejoins and serves; this is its speed.
/// Usage: <c>rejoin --postgres "&lt;server&gt;" [--silos 3] [--rounds 3]</c> (<c>--silos 1</c>: a lone silo, nobody to vote it dead).
/// </summary>
internal sealed class RejoinBenchmark : IBenchmark
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);

    public string Name => "rejoin";

    public string Description => "a silo process killed with -9 and started again at once (same, then new ports): seconds from the kill to Active and to ready";

    public async Task RunAsync(IReadOnlyList<string> args)
    {
        var options = new Options(args);
        var server = options.Postgres ?? throw new ArgumentException($"rejoin needs a PostgreSQL server: --postgres \"<connection string>\" or {Options.PostgresVariable}.");
        var silos = options.Int("silos", 3);
        var rounds = options.Int("rounds", 3);
        Console.WriteLine($"# load average at start: {LoadAverage()}");

        await using var database = await PostgresDatabase.CreateAsync(server, "rejoin");
        // The harness reads the membership table before the first silo has started (and applied the schema).
        await PostgresSchema.ApplyAsync(database.ConnectionString);
        var results = new List<(bool SamePorts, TimeSpan Active, TimeSpan Ready)>();
        await using (var cluster = ProcessCluster.Create(database.ConnectionString, "rejoin-bench"))
        {
            var nodes = (await Task.WhenAll(Enumerable.Range(0, silos).Select(i => cluster.StartSiloAsync($"silo-{(char)('a' + i)}")))).ToList();
            await Task.WhenAll(nodes.Select(node => ProcessCluster.WaitUntilReadyAsync(node, Timeout)));
            Console.WriteLine($"# {silos} silo process(es) ready; killing {nodes[^1].Name} {rounds} time(s) on its own ports, then {rounds} time(s) on new ones");
            Console.WriteLine("ports  round  kill->Active  kill->ready");
            foreach (var samePorts in new[] { true, false })
            {
                for (var round = 1; round <= rounds; round++)
                {
                    var victim = nodes[^1];
                    await victim.Process.KillAsync();
                    var sinceKill = Stopwatch.StartNew();
                    var restarted = await cluster.RestartAsync(victim, samePorts);
                    var active = sinceKill.Elapsed;
                    await ProcessCluster.WaitUntilReadyAsync(restarted, Timeout);
                    var ready = sinceKill.Elapsed;
                    nodes[^1] = restarted;
                    results.Add((samePorts, active, ready));
                    Console.WriteLine($"{(samePorts ? "same" : "new"),-5}  {round,5}  {Seconds(active),10} s  {Seconds(ready),9} s");
                }
            }
        }

        foreach (var samePorts in new[] { true, false })
        {
            var ready = results.Where(r => r.SamePorts == samePorts).Select(r => r.Ready).Order().ToList();
            Console.WriteLine($"{(samePorts ? "same ports" : "new ports")}: kill -9 to ready median {Seconds(ready[ready.Count / 2])} s, worst {Seconds(ready[^1])} s (promise: 15 s)");
        }

        Console.WriteLine($"# load average at end: {LoadAverage()}");
    }

    private static string Seconds(TimeSpan span) => span.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture);

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
