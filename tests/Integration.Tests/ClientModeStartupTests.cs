using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using TenantBilling.Integration.Tests.Processes;
using Xunit.Abstractions;

namespace TenantBilling.Integration.Tests;

/// <summary>An API in client mode started before any silo: it listens at once and says "not yet" until the cluster is there.</summary>
[Collection(ProcessTestGroup.Name)]
public sealed class ClientModeStartupTests(PostgresFixture postgres, ITestOutputHelper output)
{
    [Fact]
    public async Task An_api_started_before_any_silo_is_live_at_once_not_ready_and_answers_503_with_retry_after_until_a_silo_is_up()
    {
        await using var cluster = ProcessCluster.Create(postgres.ConnectionString, "client-start");
        var api = await cluster.StartApiAsync("api", waitUntilReady: false);
        var live = DateTimeOffset.UtcNow - api.Process.StartedAt;
        using var http = ProcessCluster.Client(api);

        // No silo for a while: every answer is a quick "not yet", none hangs or fails otherwise.
        var waiting = Stopwatch.StartNew();
        while (waiting.Elapsed < TimeSpan.FromSeconds(3))
        {
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/live")).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await http.GetAsync("/health/ready")).StatusCode);
            await ExpectNotYetAsync(await http.GetAsync("/v1/accounts/early-acct"));
            await ExpectNotYetAsync(await http.PostAsJsonAsync("/v1/accounts", new { accountId = "early-acct", name = "Early" }));
            using var accountKey = ProcessCluster.Client(api, "tbk_0123456789abcdef01234567_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
            await ExpectNotYetAsync(await accountKey.GetAsync("/v1/accounts/early-acct"));
        }

        var siloStarted = Stopwatch.StartNew();
        await cluster.StartSiloAsync("silo");
        var siloActive = siloStarted.Elapsed;
        await PostgresCluster.WaitUntilAsync(
            async () => (await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60), "the API is ready");
        var ready = siloStarted.Elapsed;

        await ApiCalls.ExpectAsync(await http.PostAsJsonAsync("/v1/accounts", new { accountId = "early-acct", name = "Early" }), HttpStatusCode.Created);
        output.WriteLine($"/health/live 200 {live.TotalSeconds:0.0} s after the API process started; silo Active {siloActive.TotalSeconds:0.0} s after its start; API ready {ready.TotalSeconds:0.0} s after the silo's start");
    }

    private static async Task ExpectNotYetAsync(HttpResponseMessage response)
    {
        var body = await ApiCalls.ExpectAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.NotNull(response.Headers.RetryAfter);
        Assert.Equal(503, body.GetProperty("status").GetInt32());
    }
}
