using TenantBilling.TestSupport;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace TenantBilling.Integration.Tests;

/// <summary>The API on PostgreSQL, as deployed: co-hosting a silo, or as a pure client of separate silos.</summary>
[Collection(PostgresTestGroup.Name)]
public sealed class ApiHostingTests(PostgresFixture postgres)
{
    private const string OperatorKey = "integration-operator-key-0123456789";

    [Fact]
    public async Task A_co_hosted_api_keeps_its_accounts_in_postgresql_across_a_restart()
    {
        var ids = ClusterIds.New("cohosted-api");
        await using (var first = Api(ids, client: false))
        {
            var created = await Operator(first).PostAsJsonAsync("/v1/accounts", new { accountId = "kept-acct", name = "Kept" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await Operator(first).GetAsync("/health/ready")).StatusCode);
        }

        await using var second = Api(ids, client: false);
        var account = await Operator(second).GetFromJsonAsync<Dictionary<string, object>>("/v1/accounts/kept-acct");
        Assert.Equal("Kept", account!["name"]!.ToString());
    }

    [Fact]
    public async Task Keys_issued_before_the_directory_of_key_ids_existed_keep_working()
    {
        var ids = ClusterIds.New("key-directory");
        string key;
        await using (var first = Api(ids, client: false))
        {
            await Operator(first).PostAsJsonAsync("/v1/accounts", new { accountId = "older-acct", name = "Older" });
            var issued = await (await Operator(first).PostAsync("/v1/accounts/older-acct/api-keys", null)).Content.ReadFromJsonAsync<Dictionary<string, object>>();
            key = issued!["key"].ToString()!;
        }

        // As stored by a version without the directory: the keys and accounts, no directory.
        await Database.ExecuteAsync(postgres.ConnectionString, "DELETE FROM orleans_storage WHERE service_id = $1 AND grain_type_string = 'api-key-directory'", ids.ServiceId);

        await using var second = Api(ids, client: false);
        using var withKey = second.CreateClient();
        withKey.DefaultRequestHeaders.Authorization = new("Bearer", key);
        Assert.Equal(HttpStatusCode.OK, (await withKey.GetAsync("/v1/accounts/older-acct")).StatusCode);
    }

    [Fact]
    public async Task An_api_in_client_mode_serves_requests_from_separate_silos()
    {
        var ids = ClusterIds.New("client-api");
        await using var silos = await PostgresCluster.StartAsync(postgres.ConnectionString, ids, silos: 2, billing: true);
        await using var api = Api(ids, client: true);

        var created = await Operator(api).PostAsJsonAsync("/v1/accounts", new { accountId = "remote-acct", name = "Remote" });

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Operator(api).GetAsync("/health/ready")).StatusCode);
        Assert.NotNull(await silos.Client.GetGrain<TenantBilling.Grains.Interfaces.IAccountGrain>("remote-acct").GetAsync());
    }

    private WebApplicationFactory<Program> Api(ClusterIds ids, bool client) => new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Orleans", postgres.ConnectionString);
        builder.UseSetting("Orleans:ClusterId", ids.ClusterId);
        builder.UseSetting("Orleans:ServiceId", ids.ServiceId);
        builder.UseSetting("Orleans:SiloPort", Ports.FreeText());
        builder.UseSetting("Orleans:GatewayPort", Ports.FreeText());
        builder.UseSetting("Api:Cluster", client ? "Client" : "CoHosted");
        builder.UseSetting("Auth:OperatorKeys:0", OperatorKey);
        builder.UseSetting("Logging:LogLevel:Default", "Warning");
    });

    private static HttpClient Operator(WebApplicationFactory<Program> api)
    {
        var http = api.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", OperatorKey);
        return http;
    }

}
