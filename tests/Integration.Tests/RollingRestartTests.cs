using System.Diagnostics;
using TenantBilling.Integration.Tests.Processes;
using TenantBilling.Silo.Hosting;
using TenantBilling.StripeSandbox;
using Xunit.Abstractions;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// Graceful shutdown and a rolling restart on the production topology: three silo processes and an API in
/// client mode on PostgreSQL, a billing run against the Stripe fake (no faults, so anything lost or doubled
/// is the restart's doing). Every silo in turn gets SIGTERM in the middle of the run and is started again.
/// So that each SIGTERM finds invoices in the middle of their Stripe steps whatever the machine's speed,
/// one account's Stripe is connected just before each restart (its invoices, held until then, go to
/// Stripe at its request pace, which takes far longer than the restart).
/// </summary>
[Collection(ProcessTestGroup.Name)]
public sealed class RollingRestartTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const int TenantsPerAccount = 60;

    /// <summary>At least five requests per invoice: an account's invoices take a minute in Stripe.</summary>
    private const int RequestsPerSecond = 5;

    [Fact]
    public async Task Each_silo_stopped_with_SIGTERM_during_a_billing_run_turns_unready_first_exits_within_its_bound_and_every_invoice_is_finalized_once()
    {
        var clock = Stopwatch.StartNew();
        void Log(string line) => output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0} s] {line}");
        await using var stripe = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var run = new BillingRun(stripe, "rolling", accounts: 3, TenantsPerAccount);
        await using var cluster = ProcessCluster.Create(postgres.ConnectionString, "rolling");
        foreach (var (key, value) in run.ProcessSettings(stripeRequestTimeout: TimeSpan.FromSeconds(10)))
        {
            cluster.Settings[key] = value;
        }

        var silos = (await Task.WhenAll(cluster.StartSiloAsync("silo-a"), cluster.StartSiloAsync("silo-b"), cluster.StartSiloAsync("silo-c"))).ToList();
        var api = await cluster.StartApiAsync("api");
        using var http = ProcessCluster.Client(api);
        await run.SetUpAsync(http, RequestsPerSecond, Log, connectLater: run.Accounts);

        await BillingRun.MoveToBillingDayAsync(http);
        Log($"billing day: {run.Invoices} invoices due at once, held until their account's Stripe is connected");
        var bound = new ShutdownSettings().Timeout;
        var observations = new List<(ShutdownObservation Observed, int InFlight)>();
        for (var i = 0; i < silos.Count; i++)
        {
            var account = run.Accounts[i];
            await run.ConnectAsync(http, account);
            await run.WaitUntilFinalizedAsync(1, TimeSpan.FromSeconds(60), account);
            var inFlight = run.Invoices - run.Finalized();
            Log($"{account} connected; {run.Finalized()} of {run.Invoices} invoices final in Stripe ({run.Finalized(account)} of {account}'s); SIGTERM to {silos[i].Name}");
            var observed = await ShutdownWatch.TerminateAsync(silos[i], bound + TimeSpan.FromSeconds(30));
            observations.Add((observed, inFlight));
            Log(observed.ToString());
            silos[i] = await cluster.RestartAsync(silos[i], samePorts: true);
            Log($"{silos[i].Name} started again and Active; {run.Finalized()} invoices final in Stripe");
        }

        var outcome = await run.WaitAndVerifyAsync(http, TimeSpan.FromMinutes(3), Log);
        Log(outcome.ToString());
        Log(run.StripeCounts());

        foreach (var (observed, inFlight) in observations)
        {
            Assert.True(inFlight > TenantsPerAccount / 2, $"only {inFlight} invoices were unfinished at SIGTERM: {observed}");
            Assert.True(observed.ExitedAfter is not null, $"{observed}\n{observed.Log}");
            Assert.True(observed.ReadyFalseAfter is not null, $"readiness never answered false: {observed}\n{observed.Log}");
            Assert.True(observed.ReadyFalseAfter < observed.ExitedAfter, observed.ToString());
            Assert.True(observed.LiveAfterReadyFalse, $"liveness stopped before readiness turned false: {observed}");
            Assert.Equal(0, observed.ExitCode);
            // The host's shutdown timeout ends the stop; a second covers the process's own exit on a loaded machine.
            Assert.True(observed.ExitedAfter < bound + TimeSpan.FromSeconds(1), $"exited after the {bound.TotalSeconds:0} s bound: {observed}\n{observed.Log}");
            Assert.True(observed.LeftTheCluster, $"{observed}\n{observed.Log}");
        }

        Assert.True(outcome.Missing.Count == 0 && outcome.Duplicated.Count == 0 && outcome.ExactlyOne == run.Invoices, $"{outcome}\n{outcome.Problems()}");
        Assert.True(outcome.FeeProblems.Count == 0, $"{outcome}\n{outcome.Problems()}");
        Assert.True(outcome.NotSent.Count == 0, $"{outcome}\n{outcome.Problems()}");
    }
}
