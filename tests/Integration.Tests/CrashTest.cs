using System.Diagnostics;
using System.Net;
using TenantBilling.Integration.Tests.Processes;
using TenantBilling.Silo.Hosting;
using TenantBilling.StripeSandbox;
using Xunit.Abstractions;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// The crash test: a month end on the production topology while things break. Three silo processes and an
/// API in client mode on PostgreSQL; 1,000 tenants in 10 accounts, all due at once; the Stripe fake failing
/// the first request of each route in each account, answering 500 after doing the work, 429 in bursts,
/// timing out and dropping connections after the work; one silo killed with -9 in the middle of the run and
/// started again; then every silo restarted in turn (SIGTERM). Afterwards every tenant has exactly one
/// finalized Stripe invoice for the month and each phantom fee is recorded once. It prints what it did and
/// the counts. ./test.sh runs it as a step of its own (Category=CrashTest), with its output on the console.
/// </summary>
[Collection(ProcessTestGroup.Name)]
[Trait("Category", "CrashTest")]
public sealed class CrashTest(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int Accounts = 10;
    private const int TenantsPerAccount = 100;

    /// <summary>Stripe's own limit in test mode; the product keeps each account under it.</summary>
    private const int RequestsPerSecond = 25;

    /// <summary>Shorter than the timeout faults hold a request, so those requests end without an answer.</summary>
    private static readonly TimeSpan StripeRequestTimeout = TimeSpan.FromSeconds(3);

    [Fact]
    public async Task A_month_end_through_stripe_faults_a_kill_9_and_a_rolling_restart_ends_with_one_finalized_invoice_per_tenant_sent_once_and_each_phantom_fee_once()
    {
        var clock = Stopwatch.StartNew();
        void Log(string line) => output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0} s] {line}");
        await using var stripe = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { FaultFirstRequestOfEachRoute = true });
        var run = new BillingRun(stripe, "crash", Accounts, TenantsPerAccount);
        await using var cluster = ProcessCluster.Create(postgres.ConnectionString, "crash");
        foreach (var (key, value) in run.ProcessSettings(StripeRequestTimeout))
        {
            cluster.Settings[key] = value;
        }

        // Each invoice's steps and pings in the silo logs, to explain one that did not finish.
        cluster.Settings["Logging__LogLevel__TenantBilling.Grains.Invoices"] = "Debug";
        cluster.Settings["Logging__Console__FormatterOptions__SingleLine"] = "true";

        var silos = (await Task.WhenAll(cluster.StartSiloAsync("silo-a"), cluster.StartSiloAsync("silo-b"), cluster.StartSiloAsync("silo-c"))).ToList();
        var api = await cluster.StartApiAsync("api");
        using var http = ProcessCluster.Client(api);
        Log($"3 silos and an API in client mode started on PostgreSQL (logs: {cluster.LogDirectory})");
        await run.SetUpAsync(http, RequestsPerSecond, Log);

        var faults = InjectFaults(stripe);
        Log($"Stripe faults armed: the first request of each route in each account fails (500), and {string.Join("; ", faults.Select(f => Describe(f.Rule)))}");
        using var stopBursts = new CancellationTokenSource();
        var bursts = RateLimitBurstsAsync(run, stopBursts.Token);

        // A client reading invoices all along, to see what a caller gets while silos die and restart.
        await using var traffic = Traffic.Start(4, _ => ProcessCluster.Client(api, timeout: TimeSpan.FromSeconds(30)), (worker, n) =>
            new HttpRequestMessage(HttpMethod.Get, $"{ApiCalls.TenantUrl(run.Accounts[(int)((worker + n) % Accounts)], BillingRun.Tenant((int)(n % TenantsPerAccount)))}/invoices"));

        // The clock's answer comes once every tenant was woken, by when invoices are well under way: kill meanwhile.
        var billingDay = BillingRun.MoveToBillingDayAsync(http);
        Log($"billing day: {run.Invoices} invoices due at once");

        var atKill = await run.WaitUntilFinalizedAsync(run.Invoices / 5, TimeSpan.FromMinutes(3));
        Assert.True(atKill < run.Invoices, "the run ended before the kill");
        var killed = silos[1];
        var killedAt = traffic.Now;
        await killed.Process.KillAsync();
        Log($"{atKill} of {run.Invoices} invoices final in Stripe; kill -9 {killed.Name}");
        var restartWatch = Stopwatch.StartNew();
        silos[1] = await cluster.RestartAsync(killed, samePorts: true);
        Log($"{killed.Name} started again on its ports: Active {restartWatch.Elapsed.TotalSeconds:0.0} s after the kill; {run.Finalized()} invoices final in Stripe");
        Log($"client traffic around the kill: {Summary.Of(traffic.Outcomes, killedAt, traffic.Now)}");
        await billingDay;
        var bound = new ShutdownSettings().Timeout;
        var observations = new List<ShutdownObservation>();
        for (var i = 0; i < silos.Count; i++)
        {
            Log($"{run.Finalized()} of {run.Invoices} invoices final in Stripe; SIGTERM to {silos[i].Name}");
            var stoppedAt = traffic.Now;
            var observed = await ShutdownWatch.TerminateAsync(silos[i], bound + TimeSpan.FromSeconds(30));
            observations.Add(observed);
            Log(observed.ToString());
            silos[i] = await cluster.RestartAsync(silos[i], samePorts: true);
            Log($"{silos[i].Name} started again and Active; client traffic meanwhile: {Summary.Of(traffic.Outcomes, stoppedAt, traffic.Now)}");
        }

        var outcome = await run.WaitAndVerifyAsync(http, TimeSpan.FromMinutes(4), Log);
        await stopBursts.CancelAsync();
        var burstCount = await bursts;
        await traffic.StopAsync();
        Log($"Stripe: {run.StripeCounts()}; {burstCount} bursts of 429; injected faults fired: {string.Join(", ", faults.Select(f => $"{Describe(f.Rule)} {f.Fired}"))}");
        Log($"client traffic over the whole run: {Summary.Of(traffic.Outcomes, TimeSpan.Zero, traffic.Now)}");
        Log($"outcome: {outcome}");
        if (outcome.SentMoreThanOnce.Count > 0)
        {
            Log($"sent more than once: {string.Join("; ", outcome.SentMoreThanOnce.Take(10))}");
        }

        foreach (var line in await ExplainAsync(http, cluster.LogDirectory, outcome.NotSent.Concat(outcome.SentMoreThanOnce).Take(5)))
        {
            Log(line);
        }

        Assert.True(outcome.Missing.Count == 0 && outcome.Duplicated.Count == 0 && outcome.ExactlyOne == run.Invoices && outcome.SentMoreThanOnce.Count == 0, $"{outcome}\n{outcome.Problems()}");
        Assert.True(outcome.FeesOnce == outcome.PhantomTenants && outcome.FeeProblems.Count == 0, $"{outcome}\n{outcome.Problems()}");
        Assert.True(outcome.NotSent.Count == 0, $"{outcome}\n{outcome.Problems()}");
        Assert.All(observations, observed => Assert.True(
            observed.ReadyFalseAfter < observed.ExitedAfter && observed.ExitCode == 0 && observed.LeftTheCluster && observed.ExitedAfter < bound + TimeSpan.FromSeconds(1),
            $"{observed}\n{observed.Log}"));
        Assert.DoesNotContain(traffic.Outcomes, o => o.Status >= 500 && o.Status != 503);
    }

    /// <summary>For each problem ("key: …"), the invoice as the product lists it and the silo log lines naming it.</summary>
    private static async Task<List<string>> ExplainAsync(HttpClient api, string logDirectory, IEnumerable<string> problems)
    {
        var lines = new List<string>();
        var logs = Directory.GetFiles(logDirectory, "*.log").Order(StringComparer.Ordinal)
            .Select(path => (Name: Path.GetFileNameWithoutExtension(path), Lines: File.ReadAllLines(path))).ToList();
        foreach (var problem in problems)
        {
            var invoiceKey = problem.Split(' ', ':')[0];
            var parts = invoiceKey.Split('/');
            var list = await BillingRun.SendAsync(api, () => new HttpRequestMessage(HttpMethod.Get, $"{ApiCalls.TenantUrl(parts[0], parts[1])}/invoices"), HttpStatusCode.OK);
            lines.Add($"{problem}; the product lists: {string.Join(" ", list.EnumerateArray().Where(i => i.GetProperty("invoiceKey").GetString() == invoiceKey).Select(i => i.GetRawText()))}");
            foreach (var (name, log) in logs)
            {
                lines.AddRange(log.Where(l => l.Contains(invoiceKey, StringComparison.Ordinal)).TakeLast(20).Select(l => $"  {name}: {l}"));
            }
        }

        return lines;
    }

    private static List<FaultHandle> InjectFaults(StripeSandboxServer stripe) =>
    [
        stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/invoices", Count = 20 }),
        stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/invoices/*/add_lines", Count = 10 }),
        stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/invoices/*/finalize", Count = 20 }),
        stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/invoices/*/send", Count = 10 }),
        stripe.InjectFault(new FaultRule(FaultKind.TimeoutAfterWork) { Method = "POST", Path = "/v1/invoices/*/finalize", Count = 5, Delay = TimeSpan.FromSeconds(8) }),
        stripe.InjectFault(new FaultRule(FaultKind.TimeoutBeforeWork) { Method = "POST", Path = "/v1/customers", Count = 5, Delay = TimeSpan.FromSeconds(8) }),
        stripe.InjectFault(new FaultRule(FaultKind.DropConnectionAfterWork) { Method = "POST", Path = "/v1/invoices/*/add_lines", Count = 5 }),
    ];

    private static string Describe(FaultRule rule) => $"{rule.Kind} ×{rule.Count} on {rule.Method} {rule.Path}";

    /// <summary>Every 4 s, two accounts' Stripe limit drops to 2 requests a second for 1.5 s: bursts of 429 the pacer did not expect.</summary>
    private static async Task<int> RateLimitBurstsAsync(BillingRun run, CancellationToken stop)
    {
        var bursts = 0;
        try
        {
            while (!stop.IsCancellationRequested && run.Finalized() < run.Invoices)
            {
                await Task.Delay(TimeSpan.FromSeconds(4), stop);
                var accounts = new[] { run.Accounts[bursts % Accounts], run.Accounts[(bursts + 5) % Accounts] }.Select(a => run.StripeAccounts[a]).ToList();
                accounts.ForEach(a => run.Stripe.SetRateLimit(a, RateLimit.PerSecond(2)));
                await Task.Delay(TimeSpan.FromSeconds(1.5), CancellationToken.None);
                accounts.ForEach(a => run.Stripe.SetRateLimit(a, null));
                bursts++;
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }

        return bursts;
    }
}
