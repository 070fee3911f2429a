using System.Net;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>The operator's account directory: <c>GET /v1/accounts</c>, paged by limit and after, operator only.</summary>
public sealed class AccountListTests(StripeApiFactory api) : IClassFixture<StripeApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    [Fact]
    public async Task Pages_walk_every_account_once_in_id_order_with_its_connection_state_and_tenant_count()
    {
        // Ids that sort in a known order among themselves (other tests of this class add accounts too).
        var prefix = Seed.NewId("list");
        var ids = Enumerable.Range(0, 5).Select(i => $"{prefix}-{i}").ToList();
        foreach (var id in ids.AsEnumerable().Reverse())
        {
            await Seed.AccountAsync(_operator, id);
        }

        await Seed.TenantAsync(_operator, ids[1], "t1");
        await Seed.TenantAsync(_operator, ids[1], "t2");
        await (await _operator.PutJsonAsync($"{Seed.AccountUrl(ids[3])}/stripe-connection", """{"stripeAccountId":"acct_1ListTest"}""")).ExpectJsonAsync(HttpStatusCode.OK);

        var seen = new List<JsonElement>();
        var pages = 0;
        string? after = null;
        do
        {
            var url = after is null ? "/v1/accounts?limit=2" : $"/v1/accounts?limit=2&after={Uri.EscapeDataString(after)}";
            var page = await (await _operator.GetAsync(url)).ExpectJsonAsync(HttpStatusCode.OK);
            var items = page.GetProperty("items").EnumerateArray().ToList();
            Assert.InRange(items.Count, 1, 2);
            seen.AddRange(items);
            after = page.GetProperty("nextAfter").GetString();
            Assert.True(after is null || after == items[^1].GetProperty("accountId").GetString(), "nextAfter is the last id of the page");
            pages++;
        }
        while (after is not null);

        var allIds = seen.Select(a => a.GetProperty("accountId").GetString()!).ToList();
        Assert.Equal(allIds.Order(StringComparer.Ordinal), allIds);
        Assert.Equal(allIds.Count, allIds.Distinct().Count());
        Assert.Equal((allIds.Count + 1) / 2, pages);
        var mine = seen.Where(a => a.GetProperty("accountId").GetString()!.StartsWith(prefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [$"{prefix}-0 not_connected 0", $"{prefix}-1 not_connected 2", $"{prefix}-2 not_connected 0", $"{prefix}-3 connect 0", $"{prefix}-4 not_connected 0"],
            mine.Select(a => $"{a.GetProperty("accountId").GetString()} {a.GetProperty("stripe").GetProperty("mode").GetString()} {a.GetProperty("tenantCount").GetInt32()}"));
        Assert.Equal($"Reseller {prefix}-3", mine[3].GetProperty("name").GetString());
    }

    [Fact]
    public async Task The_default_page_is_50_and_a_page_after_the_last_id_is_empty()
    {
        for (var i = 0; i < 51; i++)
        {
            await Seed.AccountAsync(_operator, $"{Seed.NewId("bulk")}-{i}");
        }

        var first = await (await _operator.GetAsync("/v1/accounts")).ExpectJsonAsync(HttpStatusCode.OK);
        var last = await (await _operator.GetAsync("/v1/accounts?after=~")).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Equal(50, first.GetProperty("items").GetArrayLength());
        Assert.Equal(JsonValueKind.String, first.GetProperty("nextAfter").ValueKind);
        Assert.Equal("""{"items":[],"nextAfter":null}""", last.GetRawText());
    }

    [Fact]
    public async Task An_account_key_gets_403_and_no_key_401()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var (_, key) = await Seed.KeyAsync(_operator, accountId);

        var forbidden = await (await api.Client(key).GetAsync("/v1/accounts")).ExpectProblemAsync(HttpStatusCode.Forbidden);
        await (await api.Client(null).GetAsync("/v1/accounts")).ExpectProblemAsync(HttpStatusCode.Unauthorized);

        Assert.Equal("Only the operator may call this route.", forbidden.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("limit=0")]
    [InlineData("limit=201")]
    [InlineData("limit=ten")]
    public async Task A_limit_outside_1_to_200_is_400_naming_limit(string query)
    {
        var problem = await (await _operator.GetAsync($"/v1/accounts?{query}")).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["limit"], problem.ErrorFields());
    }
}
