using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
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

    [Fact]
    public async Task The_document_names_a_bearer_scheme_that_every_route_but_the_webhooks_requires()
    {
        var document = await DocumentAsync();

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("Bearer");
        Assert.Equal("http bearer", $"{scheme.GetProperty("type").GetString()} {scheme.GetProperty("scheme").GetString()}");
        Assert.Equal("Bearer", document.GetProperty("security").EnumerateArray().Single().EnumerateObject().Single().Name);
        foreach (var (name, operation) in ProblemAnswersTests.Operations(document))
        {
            var anonymous = name.StartsWith("POST /v1/stripe/webhooks", StringComparison.Ordinal);
            Assert.True(
                anonymous ? operation.GetProperty("security").GetArrayLength() == 0 : !operation.TryGetProperty("security", out _),
                $"{name}: {(anonymous ? "must say it needs no key" : "must inherit the bearer requirement")}");
        }

        Assert.Equal("Tenant Billing API", document.GetProperty("info").GetProperty("title").GetString());
    }

    [Fact]
    public async Task Every_number_in_the_document_is_a_decimal_or_an_integer()
    {
        var document = await DocumentAsync();
        var numbers = new List<string>();
        Walk(document.GetProperty("components").GetProperty("schemas"), "schemas", numbers);

        Assert.DoesNotContain(numbers, n => !n.EndsWith(" decimal", StringComparison.Ordinal));
        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var (schema, property) in new[] { ("InvoiceLineResponse", "amount"), ("InvoicePreviewResponse", "total"), ("StatementRequest", "usageTotal"), ("PhantomFeeResponse", "amount") })
        {
            var field = schemas.GetProperty(schema).GetProperty("properties").GetProperty(property);
            Assert.Equal("decimal", field.GetProperty("format").GetString());
            Assert.Contains("number", field.GetProperty("type").ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("string", field.GetProperty("type").ToString(), StringComparison.Ordinal);
        }

        static void Walk(JsonElement node, string path, List<string> numbers)
        {
            if (node.ValueKind == JsonValueKind.Object)
            {
                if (node.TryGetProperty("type", out var type) && type.ToString().Contains("number", StringComparison.Ordinal))
                {
                    numbers.Add($"{path} {(node.TryGetProperty("format", out var format) ? format.GetString() : "(none)")}");
                }

                foreach (var child in node.EnumerateObject())
                {
                    Walk(child.Value, $"{path}.{child.Name}", numbers);
                }
            }
            else if (node.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in node.EnumerateArray())
                {
                    Walk(item, path, numbers);
                }
            }
        }
    }

    [Fact]
    public async Task Every_json_body_and_success_answer_has_an_example_that_names_only_fields_of_its_schema()
    {
        var document = await DocumentAsync();
        var schemas = document.GetProperty("components").GetProperty("schemas");
        var missing = new List<string>();

        foreach (var (name, operation) in ProblemAnswersTests.Operations(document))
        {
            var bodies = new List<(string Where, JsonElement Media)>();
            if (operation.TryGetProperty("requestBody", out var request))
            {
                bodies.AddRange(request.GetProperty("content").EnumerateObject().Select(m => ($"{name} request {m.Name}", m.Value)));
            }

            bodies.AddRange(operation.GetProperty("responses").EnumerateObject()
                .Where(r => r.Name.StartsWith('2') && r.Value.TryGetProperty("content", out _))
                .SelectMany(r => r.Value.GetProperty("content").EnumerateObject().Select(m => ($"{name} {r.Name} {m.Name}", m.Value))));
            foreach (var (where, media) in bodies)
            {
                if (!media.TryGetProperty("example", out var example))
                {
                    missing.Add(where);
                    continue;
                }

                var sample = example.ValueKind == JsonValueKind.Array ? example.EnumerateArray().FirstOrDefault() : example;
                var schema = media.GetProperty("schema");
                if (schema.TryGetProperty("items", out var items))
                {
                    schema = items;
                }

                if (sample.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference))
                {
                    var properties = schemas.GetProperty(reference.GetString()!.Split('/')[^1]).GetProperty("properties");
                    Assert.Empty(sample.EnumerateObject().Select(p => p.Name).Where(p => !properties.TryGetProperty(p, out _)).Select(p => $"{where}: {p}"));
                }
            }
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing));
    }

    [Fact]
    public async Task Operations_are_tagged_by_resource_with_short_summaries()
    {
        var document = await DocumentAsync();
        var tags = document.GetProperty("tags").EnumerateArray().ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("description").GetString());

        foreach (var (name, operation) in ProblemAnswersTests.Operations(document))
        {
            var operationTags = operation.GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).ToList();
            var summary = operation.GetProperty("summary").GetString()!;
            Assert.True(operationTags.Count == 1 && tags.ContainsKey(operationTags[0]), $"{name}: tags {string.Join(",", operationTags)}");
            Assert.True(summary.Length <= 40 && !summary.EndsWith('.'), $"{name}: summary '{summary}' is not short");
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("operationId").GetString()), $"{name}: no operationId");
        }

        Assert.Equal(["Accounts", "Bill runs", "Invoices", "Ledger", "Statements", "Stripe", "Tenants", "Test clock"], tags.Keys.Order(StringComparer.Ordinal));
        Assert.All(tags.Values, d => Assert.False(string.IsNullOrWhiteSpace(d)));
    }

    [Theory]
    [InlineData("Production", null, HttpStatusCode.NotFound)]
    [InlineData("Production", "true", HttpStatusCode.OK)]
    [InlineData("Staging", null, HttpStatusCode.OK)]
    [InlineData("Staging", "false", HttpStatusCode.NotFound)]
    public async Task The_reference_page_is_off_in_production_unless_turned_on(string environment, string? enabled, HttpStatusCode expected)
    {
        await using var deployed = new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseEnvironment(environment);
            builder.UseSetting("Auth:OperatorKeys:0", "reference-tests-operator-key");
            builder.UseSetting("Orleans:SiloPort", TenantBilling.TestSupport.Ports.FreeText());
            builder.UseSetting("Orleans:GatewayPort", TenantBilling.TestSupport.Ports.FreeText());
            if (enabled is not null)
            {
                builder.UseSetting("ApiReference:Enabled", enabled);
            }
        });
        var client = deployed.CreateClient();

        Assert.Equal(expected, (await client.GetAsync("/scalar/v1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/openapi/v1.json")).StatusCode);
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

    private async Task<JsonElement> DocumentAsync() => await (await _anonymous.GetAsync("/openapi/v1.json")).ExpectJsonAsync(HttpStatusCode.OK);

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
