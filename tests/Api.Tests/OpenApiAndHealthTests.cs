using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>The API describes itself (OpenAPI, Scalar) and answers health probes, all without a key.</summary>
public sealed partial class OpenApiAndHealthTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _anonymous = api.Client(null);

    [Fact]
    public async Task The_document_describes_every_v1_route_the_app_maps_with_its_body()
    {
        var operations = await OperationsAsync();

        var routes = ApiRoute.Of(api.Services).Where(r => r.Template.StartsWith("/v1/", StringComparison.Ordinal)).ToList();

        Assert.Empty(routes.Select(r => r.Name).Except(operations.Keys));
        Assert.Empty(operations.Keys.Except(routes.Select(r => r.Name)));
        Assert.DoesNotContain(operations.Keys, k => k.EndsWith('/'));
        foreach (var route in routes.Where(r => r.BodyType is not null))
        {
            var content = operations[route.Name].GetProperty("requestBody").GetProperty("content");
            Assert.True(content.TryGetProperty(route.BodyContentType!, out _), $"{route.Name}: the document gives no {route.BodyContentType} body.");
        }
    }

    [Fact]
    public async Task Scalar_serves_an_html_page_whose_scripts_load_and_which_reads_the_document()
    {
        var page = await _anonymous.GetAsync("/scalar/v1");
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi/v1.json", html, StringComparison.Ordinal);
        var scripts = ScriptSources().Matches(html).Select(m => m.Groups[1].Value).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            var response = await _anonymous.GetAsync(new Uri(new Uri("http://localhost/scalar/v1"), script));
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{script}: {(int)response.StatusCode}");
        }
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Health_probes_answer_200_without_a_key(string url)
    {
        var response = await _anonymous.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    /// <summary>The document's operations by "METHOD /path".</summary>
    private async Task<Dictionary<string, JsonElement>> OperationsAsync()
    {
        var document = await (await _anonymous.GetAsync("/openapi/v1.json")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.StartsWith("3.", document.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        return document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject()
                .Where(o => o.Name is "get" or "put" or "post" or "delete" or "patch")
                .Select(o => (Key: $"{o.Name.ToUpperInvariant()} {path.Name}", o.Value)))
            .ToDictionary(o => o.Key, o => o.Value);
    }

    [GeneratedRegex("<script[^>]*src=\"([^\"]+)\"")]
    private static partial Regex ScriptSources();
}
