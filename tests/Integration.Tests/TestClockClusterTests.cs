using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using TenantBilling.Integration.Tests.Processes;
using Xunit.Abstractions;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// Rehearsing a month end on the production topology: two silo processes, two API processes in client
/// mode, test mode on. The test clock set through one API moves billing time on every silo and API, and
/// it outlives the silos.
/// </summary>
[Collection(ProcessTestGroup.Name)]
public sealed class TestClockClusterTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private const string Account = "clock-acct";
    private const int Tenants = 40;

    private static readonly DateTimeOffset ProfilesCreated = new(2031, 1, 15, 12, 0, 0, TimeSpan.Zero);

    /// <summary>January is closed and its invoices (billing day 5) were due on February 5.</summary>
    private static readonly DateTimeOffset AfterBillingDay = new(2031, 2, 10, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task The_test_clock_set_through_any_api_moves_billing_time_on_every_silo_and_api_and_survives_killing_every_silo()
    {
        await using var cluster = ProcessCluster.Create(postgres.ConnectionString, "test-clock");
        cluster.Settings["TestMode__Enabled"] = "true";
        var silos = await Task.WhenAll(cluster.StartSiloAsync("silo-a"), cluster.StartSiloAsync("silo-b"));
        var apis = await Task.WhenAll(cluster.StartApiAsync("api-1"), cluster.StartApiAsync("api-2"));
        using var first = ProcessCluster.Client(apis[0]);
        using var second = ProcessCluster.Client(apis[1]);

        await MoveAsync(first, ProfilesCreated);
        AssertAbout(ProfilesCreated, await ReadAsync(second));
        await ApiCalls.AccountWithKeyAsync(second, Account);
        await Task.WhenAll(Enumerable.Range(0, Tenants).Select(t => ApiCalls.BillableTenantAsync(second, Account, Tenant(t))));

        // Moved through the other API: January closes there too (its statements are accepted) and every
        // tenant, on whichever silo, finds its January invoice due.
        await MoveAsync(second, AfterBillingDay);
        AssertAbout(AfterBillingDay, await ReadAsync(first));
        await DeliverJanuaryAsync(first, 0, Tenants / 2);
        await WaitUntilHeldAsync(first, 0, Tenants / 2);

        // Every silo killed and started again: the clock is where it was, on both APIs and both silos.
        await Task.WhenAll(silos.Select(silo => silo.Process.KillAsync()));
        var restarted = Stopwatch.StartNew();
        var restartedSilos = await Task.WhenAll(silos.Select(silo => cluster.RestartAsync(silo, samePorts: true)));
        await WaitUntilReadyAsync(first);
        await WaitUntilReadyAsync(second);
        output.WriteLine($"both silos killed and restarted; both APIs ready {restarted.Elapsed.TotalSeconds:0.0} s after the restart");
        AssertAbout(AfterBillingDay, await ReadAsync(second));
        foreach (var silo in restartedSilos)
        {
            // Read from the database before the silo joined, so no grain on it ran on real time meanwhile.
            var log = silo.Process.ReadLog();
            var loaded = System.Text.RegularExpressions.Regex.Match(log, @"Test clock loaded from storage: billing time is real time \+ [0-9.:]+ \(version [1-9]");
            Assert.True(loaded.Success, $"{silo.Name} did not load the test clock from storage:\n{silo.Process.LogTail()}");
            Assert.True(loaded.Index < log.IndexOf("-BecomeActive", StringComparison.Ordinal), $"{silo.Name} loaded the test clock only after it joined");
        }

        await DeliverJanuaryAsync(second, Tenants / 2, Tenants);
        await WaitUntilHeldAsync(second, Tenants / 2, Tenants);
    }

    private static string Tenant(int t) => $"t{t:D2}";

    private static async Task MoveAsync(HttpClient api, DateTimeOffset now)
    {
        var moved = await ApiCalls.ExpectAsync(await api.PostAsJsonAsync("/v1/test-clock", new { now }), HttpStatusCode.OK);
        AssertAbout(now, moved.GetProperty("now").GetDateTimeOffset());
    }

    private static async Task<DateTimeOffset> ReadAsync(HttpClient api) =>
        (await ApiCalls.ExpectAsync(await api.GetAsync("/v1/test-clock"), HttpStatusCode.OK)).GetProperty("now").GetDateTimeOffset();

    /// <summary>The clock runs on from where it was set; minutes of slack cover a slow machine.</summary>
    private static void AssertAbout(DateTimeOffset expected, DateTimeOffset actual) =>
        Assert.InRange(actual, expected - TimeSpan.FromSeconds(1), expected + TimeSpan.FromMinutes(5));

    /// <summary>
    /// Delivers January's statements as a client should: a 503 (a silo busy joining on a loaded machine) is
    /// sent again, and then an identical replay's 200 is as good as the 201.
    /// </summary>
    private static async Task DeliverJanuaryAsync(HttpClient api, int from, int to) =>
        await Task.WhenAll(Enumerable.Range(from, to - from).Select(async t =>
        {
            var url = $"{ApiCalls.TenantUrl(Account, Tenant(t))}/statements/2031-01";
            for (var attempt = 1; ; attempt++)
            {
                using var response = await api.PutAsync(url, ApiCalls.Json("""{"usageTotal": 12.5, "quantities": {"minutes_outbound": 1000}}"""));
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 10)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    continue;
                }

                await ApiCalls.ExpectAsync(response, attempt == 1 ? [HttpStatusCode.Created] : [HttpStatusCode.Created, HttpStatusCode.OK]);
                return;
            }
        }));

    /// <summary>
    /// Waits until each tenant's January invoice was handed over and held (the account has no Stripe):
    /// only a tenant whose silo reads February 2031 finds it due; one on real time would keep it scheduled.
    /// </summary>
    private static async Task WaitUntilHeldAsync(HttpClient api, int from, int to)
    {
        foreach (var t in Enumerable.Range(from, to - from))
        {
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                using var response = await api.GetAsync($"{ApiCalls.TenantUrl(Account, Tenant(t))}/invoices");
                if (response.StatusCode == HttpStatusCode.ServiceUnavailable && deadline.Elapsed < TimeSpan.FromSeconds(60))
                {
                    await Task.Delay(1000);   // as a client does with Retry-After
                    continue;
                }

                var invoices = await ApiCalls.ExpectAsync(response, HttpStatusCode.OK);
                var statuses = invoices.EnumerateArray().Select(i => $"{i.GetProperty("period").GetString()} {i.GetProperty("status").GetString()}").ToList();
                if (statuses.Contains("2031-01 held"))
                {
                    break;
                }

                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), $"{Tenant(t)}'s January invoice is not held after 60 s: [{string.Join(", ", statuses)}]");
                await Task.Delay(200);
            }
        }
    }

    private static async Task WaitUntilReadyAsync(HttpClient api) =>
        await PostgresCluster.WaitUntilAsync(
            async () => (await api.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the API is ready again");
}
