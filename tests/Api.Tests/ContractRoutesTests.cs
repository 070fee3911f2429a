using System.Text.RegularExpressions;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>
/// The routes table of docs/api.md is the contract: the app maps exactly the routes it lists, under the
/// same spelling. Compared both ways over the API's own routes (/v1 and /health), with test mode on so
/// the test clock is mapped.
/// </summary>
public sealed partial class ContractRoutesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public void The_app_maps_every_route_of_the_contract_and_no_route_the_contract_lacks()
    {
        var contract = ContractRoutes();
        var mapped = ApiRoute.Of(api.Services)
            .Select(r => r.Name)
            .Where(IsApiRoute)
            .ToHashSet(StringComparer.Ordinal);

        Assert.True(contract.Count > 20, $"Only {contract.Count} routes read from docs/api.md: is the table still there?");
        Assert.Empty(contract.Where(IsApiRoute).Except(mapped, StringComparer.Ordinal));
        Assert.Empty(mapped.Except(contract, StringComparer.Ordinal));
    }

    [Fact]
    public void The_contract_lists_each_route_once()
    {
        var routes = RouteRows().Select(r => r.Route).ToList();

        Assert.Empty(routes.GroupBy(r => r).Where(g => g.Count() > 1).Select(g => g.Key));
    }

    [Fact]
    public async Task The_documentation_routes_the_contract_names_answer()
    {
        var client = api.Client(null);

        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.OK, (await client.GetAsync("/scalar/v1")).StatusCode);
        Assert.Contains("`GET /openapi/v1.json`", Repository.ReadText("docs/api.md"), StringComparison.Ordinal);
        Assert.Contains("`GET /scalar/v1`", Repository.ReadText("docs/api.md"), StringComparison.Ordinal);
    }

    /// <summary>"METHOD /path" of every row of the routes table in docs/api.md.</summary>
    internal static IReadOnlySet<string> ContractRoutes() => RouteRows().Select(r => r.Route).ToHashSet(StringComparer.Ordinal);

    private static IEnumerable<(string Route, string Who)> RouteRows() =>
        Repository.ReadText("docs/api.md").Split('\n')
            .Select(line => RouteRow().Match(line))
            .Where(m => m.Success)
            .Select(m => ($"{m.Groups["method"].Value} {m.Groups["path"].Value}", m.Groups["who"].Value));

    private static bool IsApiRoute(string route) => route.Split(' ')[1] is var path && (path.StartsWith("/v1/", StringComparison.Ordinal) || path.StartsWith("/health/", StringComparison.Ordinal));

    [GeneratedRegex(@"^\| `(?<method>GET|POST|PUT|DELETE|PATCH) (?<path>/[^`\s]+)` \| (?<who>[A-Za-z]+) \|")]
    private static partial Regex RouteRow();
}
