using System.Diagnostics;
using System.Net;
using TenantBilling.Integration.Tests.Processes;
using Xunit.Abstractions;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// Account keys are validated through a cache in each API process (docs/cluster.md): a revocation made
/// through one API process must reach the others within the documented time, by either of its two paths.
/// </summary>
[Collection(ProcessTestGroup.Name)]
public sealed class KeyRevocationTests(PostgresFixture postgres, ITestOutputHelper output)
{
    /// <summary>Room for a loaded machine on top of each documented bound.</summary>
    private static readonly TimeSpan Slack = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task A_key_revoked_through_one_api_is_refused_there_at_once_and_by_every_other_api_within_its_bound()
    {
        await using var cluster = ProcessCluster.Create(postgres.ConnectionString, "revocation");
        await cluster.StartSiloAsync("silo");
        // Sees the revocation only when its validation of the key expires (3 s): its id list is re-read every 5 min.
        var cacheBound = TimeSpan.FromSeconds(3);
        var apis = await Task.WhenAll(
            cluster.StartApiAsync("api-revoking"),
            cluster.StartApiAsync("api-cache-expiry", settings: new Dictionary<string, string>
            {
                ["Auth__KeyCacheDuration"] = "00:00:03",
                ["Auth__KeyListRefreshPeriod"] = "00:05:00",
            }),
            // The defaults: the id list is re-read every 5 s, so the revocation arrives that way, long before the 30 s cache time.
            cluster.StartApiAsync("api-defaults"));
        var listBound = TimeSpan.FromSeconds(5);
        using var operatorClient = ProcessCluster.Client(apis[0]);
        var (keyId, key) = await ApiCalls.AccountWithKeyAsync(operatorClient, "revoked-acct");
        var clients = apis.Select(api => ProcessCluster.Client(api, key)).ToArray();
        foreach (var client in clients)
        {
            await ApiCalls.ExpectAsync(await client.GetAsync("/v1/accounts/revoked-acct"), HttpStatusCode.OK);
        }

        await ApiCalls.ExpectAsync(await operatorClient.DeleteAsync($"/v1/accounts/revoked-acct/api-keys/{keyId}"), HttpStatusCode.NoContent);
        var revoked = Stopwatch.StartNew();

        await ApiCalls.ExpectAsync(await clients[0].GetAsync("/v1/accounts/revoked-acct"), HttpStatusCode.Unauthorized);
        var refusals = await Task.WhenAll(RefusedAfterAsync(clients[1], revoked), RefusedAfterAsync(clients[2], revoked));

        output.WriteLine($"refused by the API that revoked it at once; by one re-validating after {cacheBound.TotalSeconds:0} s: after {refusals[0].TotalSeconds:0.0} s; with the defaults (ids every {listBound.TotalSeconds:0} s): after {refusals[1].TotalSeconds:0.0} s");
        Assert.True(refusals[0] < cacheBound + Slack, $"Refused after {refusals[0].TotalSeconds:0.0} s");
        Assert.True(refusals[1] < listBound + Slack, $"Refused after {refusals[1].TotalSeconds:0.0} s");
        Assert.All(clients, client => client.Dispose());
    }

    private static async Task<TimeSpan> RefusedAfterAsync(HttpClient client, Stopwatch since)
    {
        while (since.Elapsed < TimeSpan.FromSeconds(60))
        {
            var status = (await client.GetAsync("/v1/accounts/revoked-acct")).StatusCode;
            if (status == HttpStatusCode.Unauthorized)
            {
                return since.Elapsed;
            }

            Assert.Equal(HttpStatusCode.OK, status);
            await Task.Delay(100);
        }

        throw new TimeoutException("The revoked key was still accepted after 60 s.");
    }
}
