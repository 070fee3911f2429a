using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Tests.Support;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Tests;

/// <summary>
/// No input causes a 5xx: malformed JSON, wrong types, missing and unknown fields, over-long strings,
/// over-size bodies and bad ids, sent to every route the app maps (read from routing, so a route added
/// later is covered or makes <see cref="Every_route_that_reads_a_body_has_bad_body_cases"/> fail). Each
/// answer must be the expected 4xx as problem+json naming the field, and nothing may change.
/// </summary>
public sealed class BadInputTests(ApiFactory api) : IClassFixture<ApiFactory>, IAsyncLifetime
{
    /// <summary>A valid body per request type; the cases break it one field at a time. Placeholders: {account}, {newAccount}.</summary>
    private static readonly Dictionary<Type, BodySample> Samples = new()
    {
        [typeof(CreateAccountRequest)] = new("""{"accountId":"{newAccount}","name":"New Reseller"}"""),
        [typeof(TenantRequest)] = new(Seed.TenantBody(name: "Renamed", city: "Hollywood"), "address.line2"),
        [typeof(BillingProfileRequest)] = new(
            """{"autoCharge":true,"includeTaxes":false,"billingDay":20,"prices":{"sip_channels":20,"local_numbers":1.5},"recurringItems":[{"description":"Seats","quantity":3,"unitPrice":9.99,"taxCategory":"voip_seats"}]}""",
            "prices", "recurringItems"),
        [typeof(TaxExemptionsBody)] = new("""{"federal":true,"stateLocal":true,"sales":false}"""),
        [typeof(StatementRequest)] = new("""{"usageTotal":99.5,"quantities":{"minutes_inbound":10,"sip_channels":4}}"""),
        [typeof(OneTimeInvoiceRequest)] = new(
            """{"requestId":"r-1","items":[{"description":"Setup","quantity":1,"unitPrice":25,"taxCategory":"non_taxable"},{"productCode":"local_numbers","quantity":2}]}"""),
        [typeof(TestClockRequest)] = new("""{"now":"2030-01-01T00:00:00Z"}"""),
        [typeof(CreditRequestBody)] = new("""{"requestId":"c-1","destination":"balance","lines":[{"lineRef":"item-1","amount":1.25}],"memo":"Goodwill"}""", "memo", "lines[0].amount"),
        [typeof(StripeConnectionRequest)] = new("""{"stripeAccountId":"acct_1ExampleConnected"}""", "stripeAccountId"),
        [typeof(AccountSettingsRequest)] = new("""{"daysUntilDue":14,"stripeRequestsPerSecond":25}"""),
        [typeof(BatchStatementLine)] = new("""{"accountId":"{account}","tenantId":"t1","period":"2026-10","usageTotal":99.5,"quantities":{"minutes_inbound":10}}"""),
    };

    /// <summary>
    /// Further samples of bodies whose fields are alternatives (exactly one of them is given): every
    /// sample is broken in turn, and a field counts as covered when any sample sets it.
    /// </summary>
    private static readonly Dictionary<Type, BodySample[]> AlternativeSamples = new()
    {
        [typeof(StripeConnectionRequest)] = [new("""{"secretKey":"sk_test_0123456789abcdef","webhookSecret":"whsec_0123456789abcdef"}""", "secretKey", "webhookSecret")],
    };

    /// <summary>Write routes that read no body at all: only their ids can be broken.</summary>
    private static readonly HashSet<string> Bodyless =
    [
        "POST /v1/accounts/{accountId}/api-keys",
        "POST /v1/accounts/{accountId}/tenants/{tenantId}/address/validate",
        "POST /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{invoiceId}/retry",
        "POST /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{invoiceId}/void",
    ];

    /// <summary>
    /// Write routes that read their body themselves (no declared type) and the status garbage gets there:
    /// api.md's Stripe webhook answers 400 to anything without a valid signature.
    /// </summary>
    private static readonly Dictionary<string, int> RawBody = new(StringComparer.Ordinal)
    {
        ["POST /v1/stripe/webhooks"] = 400,
        ["POST /v1/stripe/webhooks/{accountId}"] = 400,
    };

    /// <summary>Query parameters any value of which is valid: a paging cursor is a position in id order, not an id.</summary>
    private static readonly HashSet<string> FreeFormQuery = ["after"];

    /// <summary>Ids no route accepts: over-long, or with characters outside every id rule.</summary>
    private static readonly string[] BadIds =
        ["bad id", "bad!id", "ünï", "a.b", "a/b", "<script>", new('a', 65), new('a', BadBodies.OverLongLength)];

    private readonly HttpClient _operator = api.Operator();
    private string _accountId = null!;
    private string _keyId = null!;
    private string _key = null!;

    public async Task InitializeAsync()
    {
        _accountId = await Seed.AccountAsync(_operator);
        (_keyId, _key) = await Seed.KeyAsync(_operator, _accountId);
        await Seed.BillableTenantAsync(_operator, _accountId, "t1");
        var tenant = Seed.TenantUrl(_accountId, "t1");
        await (await _operator.PutJsonAsync($"{tenant}/tax-exemptions", """{"federal":false,"stateLocal":false,"sales":true}""")).ExpectJsonAsync(HttpStatusCode.OK);
        await (await _operator.PutJsonAsync($"{tenant}/statements/2026-10", """{"usageTotal":12.5,"quantities":{"minutes_outbound":100}}""")).ExpectJsonAsync(HttpStatusCode.Created);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public void Every_route_that_reads_a_body_has_bad_body_cases()
    {
        var problems = new List<string>();
        foreach (var route in V1Routes())
        {
            if (route.BodyType is { } type)
            {
                if (!Samples.TryGetValue(type, out var sample))
                {
                    problems.Add($"{route.Name} reads {type.Name}: add a valid sample of it to {nameof(Samples)}.");
                    continue;
                }

                var unsetInEvery = SamplesOf(type)
                    .Select(s =>
                    {
                        var unset = new SortedSet<string>(StringComparer.Ordinal);
                        BadBodies.FieldCases(type, Fill(s), unset);
                        return unset;
                    })
                    .Aggregate((a, b) => new SortedSet<string>(a.Intersect(b), StringComparer.Ordinal));
                problems.AddRange(unsetInEvery.Select(p => $"{route.Name}: no sample of {type.Name} sets {p}, so it is never broken."));
                if (route.BodyContentType is not (Http.Json or Http.NdJson))
                {
                    problems.Add($"{route.Name} reads {route.BodyContentType}: no bad-input cases exist for that media type.");
                }
            }
            else if (route.IsWrite && !Bodyless.Contains(route.Name) && !RawBody.ContainsKey(route.Name))
            {
                problems.Add($"{route.Name} declares no body type: declare it (Accepts<T> or a body parameter), or list it in {nameof(Bodyless)} or {nameof(RawBody)}.");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    [Fact]
    public async Task No_bad_json_body_gets_anything_but_its_4xx_and_nothing_changes()
    {
        var before = await SnapshotAsync();
        var failures = new List<string>();
        var sent = 0;

        foreach (var route in V1Routes().Where(r => r.BodyContentType == Http.Json && Samples.ContainsKey(r.BodyType!)))
        {
            var sample = Fill(Samples[route.BodyType!]);
            var cases = SamplesOf(route.BodyType!).SelectMany(s => BadBodies.FieldCases(route.BodyType!, Fill(s), new HashSet<string>()))
                .Concat(BadBodies.MalformedCases(sample))
                .Concat(BadBodies.MediaTypeCases(sample, Http.Json))
                .Concat(BadBodies.OverSizeCases(Http.Json));
            foreach (var bad in cases)
            {
                var response = await _operator.SendAsync(new HttpMethod(route.Method), route.Url(RouteValue), bad.Body, bad.ContentType, bad.Chunked);
                failures.AddRange(await CheckAsync(route.Name, bad, response));
                sent++;
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} bad bodies were answered wrongly:\n{string.Join("\n", failures)}");
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task No_garbage_sent_to_a_route_that_reads_its_own_body_gets_anything_but_its_4xx()
    {
        var before = await SnapshotAsync();
        var failures = new List<string>();
        var garbage = new BodySample("""{"id":"evt_1","type":"invoice.paid","data":{"object":{}}}""");

        foreach (var route in V1Routes().Where(r => RawBody.ContainsKey(r.Name)))
        {
            var cases = BadBodies.MalformedCases(garbage).Select(c => c with { Status = RawBody[route.Name] })
                .Append(new BadBody("unsigned event", Encoding.UTF8.GetBytes(garbage.Json), RawBody[route.Name]))
                .Concat(BadBodies.OverSizeCases(Http.Json));
            foreach (var bad in cases)
            {
                failures.AddRange(await CheckAsync(route.Name, bad, await _operator.SendAsync(new HttpMethod(route.Method), route.Url(RouteValue), bad.Body, bad.ContentType, bad.Chunked)));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task No_bad_batch_line_gets_anything_but_its_own_400_and_nothing_changes()
    {
        var before = await SnapshotAsync();
        var failures = new List<string>();

        foreach (var route in V1Routes().Where(r => r.BodyContentType == Http.NdJson && Samples.ContainsKey(r.BodyType!)))
        {
            var sample = Fill(Samples[route.BodyType!]);
            var lines = BadBodies.FieldCases(route.BodyType!, sample, new HashSet<string>(), Http.NdJson).Concat(BadBodies.MalformedCases(sample, Http.NdJson)).ToList();
            var body = lines.SelectMany(l => l.Body.Append((byte)'\n')).ToArray();

            var response = await _operator.SendAsync(HttpMethod.Post, route.Url(RouteValue), body, Http.NdJson);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var results = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => JsonDocument.Parse(r).RootElement).ToList();
            Assert.Equal(Enumerable.Range(1, lines.Count), results.Select(r => r.GetProperty("line").GetInt32()));
            for (var i = 0; i < lines.Count; i++)
            {
                var status = results[i].GetProperty("status").GetInt32();
                if (status != lines[i].Status || !lines[i].NamesItsField(results[i].ErrorFields()))
                {
                    failures.Add($"{route.Name} line {i + 1} [{lines[i].Case}] → {results[i].GetRawText()[..Math.Min(300, results[i].GetRawText().Length)]}");
                }
            }

            foreach (var bad in BadBodies.MediaTypeCases(sample, Http.NdJson))
            {
                failures.AddRange(await CheckAsync(route.Name, bad, await _operator.SendAsync(HttpMethod.Post, route.Url(RouteValue), bad.Body, bad.ContentType)));
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task No_bad_id_in_a_path_gets_anything_but_a_400_or_404_and_nothing_changes()
    {
        var before = await SnapshotAsync();
        var failures = new List<string>();
        var sent = 0;

        foreach (var route in V1Routes().Where(r => r.Parameters.Count > 0))
        {
            var body = route.BodyType is { } type && Samples.TryGetValue(type, out var sample) ? Encoding.UTF8.GetBytes(Fill(sample).Json) : null;
            foreach (var parameter in route.Parameters)
            {
                foreach (var bad in BadIds)
                {
                    var url = route.Url(p => p == parameter ? bad : RouteValue(p));
                    var response = await _operator.SendAsync(new HttpMethod(route.Method), url, body, body is null ? null : route.BodyContentType);
                    var text = await response.Content.ReadAsStringAsync();
                    var status = (int)response.StatusCode;
                    var problem = response.Content.Headers.ContentType?.MediaType == Http.ProblemJson ? JsonDocument.Parse(text).RootElement : default;
                    if (status is not (400 or 404) || problem.ValueKind != JsonValueKind.Object
                        || (status == 400 && !problem.ErrorFields().Contains(parameter)))
                    {
                        failures.Add($"{route.Name} with {parameter} = '{Shorten(bad)}' → {status} {Shorten(text)}");
                    }

                    sent++;
                }
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {sent} bad ids were answered wrongly:\n{string.Join("\n", failures)}");
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task No_bad_query_value_gets_anything_but_a_400()
    {
        var document = await (await _operator.GetAsync("/openapi/v1.json")).ExpectJsonAsync(HttpStatusCode.OK);
        var routes = V1Routes().ToDictionary(r => r.Name);
        var failures = new List<string>();
        var checkedParameters = new List<string>();

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject().Where(o => o.Value.TryGetProperty("parameters", out _)))
            {
                var route = routes[$"{operation.Name.ToUpperInvariant()} {path.Name}"];
                foreach (var parameter in operation.Value.GetProperty("parameters").EnumerateArray().Where(p => p.GetProperty("in").GetString() == "query"))
                {
                    var name = parameter.GetProperty("name").GetString()!;
                    if (FreeFormQuery.Contains(name))
                    {
                        continue;
                    }

                    checkedParameters.Add($"{route.Name}?{name}");
                    foreach (var bad in BadQueryValues(parameter.GetProperty("schema")))
                    {
                        var url = $"{route.Url(RouteValue)}?{name}={Uri.EscapeDataString(bad)}";
                        var response = await _operator.SendAsync(new HttpMethod(route.Method), url, (byte[]?)null);
                        if (response.StatusCode != HttpStatusCode.BadRequest || response.Content.Headers.ContentType?.MediaType != Http.ProblemJson)
                        {
                            failures.Add($"{route.Name} with {name} = '{Shorten(bad)}' → {(int)response.StatusCode} {Shorten(await response.Content.ReadAsStringAsync())}");
                        }
                    }
                }
            }
        }

        Assert.Contains("GET /v1/accounts/{accountId}/tenants?limit", checkedParameters);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task Every_route_but_the_batch_refuses_a_body_over_1_MB_with_413_and_nothing_changes()
    {
        var before = await SnapshotAsync();
        var failures = new List<string>();
        var bad = BadBodies.OverSizeCases(Http.Json)[0];

        foreach (var route in V1Routes().Where(r => !r.UnlimitedBody))
        {
            failures.AddRange(await CheckAsync(route.Name, bad, await _operator.SendAsync(new HttpMethod(route.Method), route.Url(RouteValue), bad.Body, route.BodyContentType ?? Http.Json)));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, await SnapshotAsync());
    }

    [Fact]
    public async Task The_batch_takes_2_MB_of_lines_and_answers_each_unknown_tenant_with_404_in_line_order()
    {
        var before = await SnapshotAsync();
        var body = new StringBuilder();
        var lines = 0;
        while (body.Length < 2 * 1024 * 1024)
        {
            body.Append($$$"""{"accountId":"{{{_accountId}}}","tenantId":"ghost-{{{lines % 16}}}","period":"2026-10","usageTotal":1.25,"quantities":{"minutes_outbound":{{{lines}}}}}""").Append('\n');
            lines++;
        }

        var response = await _operator.SendAsync(HttpMethod.Post, "/v1/statements/batch", body.ToString(), Http.NdJson);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var results = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(r => JsonDocument.Parse(r).RootElement).ToList();
        Assert.Equal(Enumerable.Range(1, lines), results.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal(Enumerable.Range(0, lines).Select(i => $"404 ghost-{i % 16}"), results.Select(r => $"{r.GetProperty("status").GetInt32()} {r.GetProperty("tenantId").GetString()}"));
        Assert.Equal(before, await SnapshotAsync());
    }

    private IEnumerable<ApiRoute> V1Routes() => ApiRoute.Of(api.Services).Where(r => r.Template.StartsWith("/v1/", StringComparison.Ordinal));

    private static IEnumerable<BodySample> SamplesOf(Type type) =>
        Samples.TryGetValue(type, out var sample) ? AlternativeSamples.GetValueOrDefault(type, []).Prepend(sample) : [];

    private string RouteValue(string parameter) => parameter switch
    {
        "invoiceId" => "2026-10",
        "accountId" => _accountId,
        "tenantId" => "t1",
        "period" => "2026-10",
        "keyId" => _keyId,
        "date" => "2026-11-20",
        _ => throw new InvalidOperationException($"No valid value for route parameter '{parameter}': add one to {nameof(RouteValue)}."),
    };

    private BodySample Fill(BodySample sample) => sample with
    {
        Json = sample.Json.Replace("{account}", _accountId, StringComparison.Ordinal).Replace("{newAccount}", Seed.NewId("never"), StringComparison.Ordinal),
    };

    private static IEnumerable<string> BadQueryValues(JsonElement schema)
    {
        var type = schema.TryGetProperty("type", out var t)
            ? t.ValueKind == JsonValueKind.Array ? t.EnumerateArray().Select(e => e.GetString()).First(n => n != "null") : t.GetString()
            : "string";
        return type switch
        {
            "integer" => ["abc", "1.5", "99999999999999999999", "0", "-1"],
            "number" => ["abc", "1e400"],
            "boolean" => ["maybe"],
            _ => ["bad value!", new string('x', BadBodies.OverLongLength)],
        };
    }

    /// <summary>The expected status as problem+json, naming the case's field when it has one.</summary>
    private static async Task<IEnumerable<string>> CheckAsync(string route, BadBody bad, HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var isProblem = response.Content.Headers.ContentType?.MediaType == Http.ProblemJson;
        var fields = isProblem ? JsonDocument.Parse(text).RootElement.ErrorFields() : [];
        return (int)response.StatusCode == bad.Status && isProblem && bad.NamesItsField(fields)
            ? []
            : [$"{route} [{bad.Case}] → {(int)response.StatusCode} {response.Content.Headers.ContentType?.MediaType} {Shorten(text)}"];
    }

    /// <summary>Everything a bad request could have changed: the seeded account, tenant, profile, statement, key and clock, and the account list.</summary>
    private async Task<string> SnapshotAsync()
    {
        var tenant = Seed.TenantUrl(_accountId, "t1");
        var lines = new List<string>();
        foreach (var url in new[] { Seed.AccountUrl(_accountId), $"{Seed.AccountUrl(_accountId)}/tenants", tenant, $"{tenant}/billing-profile", $"{tenant}/invoices", $"{tenant}/invoices/2026-10/preview", "/v1/test-clock" })
        {
            var response = await _operator.GetAsync(url);
            lines.Add($"{url} {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }

        lines.Add($"account key: {(int)(await api.Client(_key).GetAsync(Seed.AccountUrl(_accountId))).StatusCode}");
        var accounts = await api.Services.GetRequiredService<IGrainFactory>().GetGrain<IAccountDirectoryGrain>(GrainKeys.AccountDirectory).ListAsync();
        lines.Add($"accounts: {string.Join(",", accounts)}");
        return string.Join("\n", lines);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
