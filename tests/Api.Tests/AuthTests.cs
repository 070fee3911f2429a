using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>Who may call: operator keys from configuration, account keys scoped to their account, 401/403/404 as api.md says.</summary>
public sealed class AuthTests(StripeApiFactory api) : IClassFixture<StripeApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    [Theory]
    [InlineData("GET", "/v1/accounts/acme")]
    [InlineData("POST", "/v1/accounts")]
    [InlineData("GET", "/v1/accounts/acme/tenants")]
    [InlineData("PUT", "/v1/accounts/acme/tenants/t1/statements/2026-10")]
    [InlineData("POST", "/v1/statements/batch")]
    [InlineData("GET", "/v1/test-clock")]
    public async Task No_key_is_401_problem_with_a_bearer_challenge(string method, string url)
    {
        var contentType = url.EndsWith("/batch", StringComparison.Ordinal) ? Http.NdJson : Http.Json;
        var response = await api.Client(null).SendAsync(new HttpMethod(method), url, method == "GET" ? null : "{}", contentType);

        var problem = await response.ExpectProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("A valid operator or account key is required (Authorization: Bearer <key>).", problem.GetProperty("title").GetString());
    }

    [Theory]
    [InlineData("Bearer not-a-key")]
    [InlineData("Bearer " + ApiFactory.OperatorKey + "x")]
    [InlineData("Bearer api-tests-operator-key-012345678")]
    [InlineData("Bearer tbk_0123456789abcdef01234567_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef")]
    [InlineData("Bearer tbk_short_secret")]
    [InlineData("Bearer ")]
    [InlineData("Basic " + ApiFactory.OperatorKey)]
    [InlineData(ApiFactory.OperatorKey)]
    public async Task Wrong_key_is_401(string authorization)
    {
        var accountId = await Seed.AccountAsync(_operator);
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);

        await (await client.GetAsync(Seed.AccountUrl(accountId))).ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_key_of_another_account_with_a_valid_shape_is_401_not_a_lookup_of_that_account()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var (_, key) = await Seed.KeyAsync(_operator, accountId);
        var tampered = key[..^1] + (key[^1] == '0' ? '1' : '0');

        await (await api.Client(tampered).GetAsync(Seed.AccountUrl(accountId))).ExpectProblemAsync(HttpStatusCode.Unauthorized);
    }

    /// <summary>The routes Stripe calls, authenticated by its signature rather than by a key.</summary>
    private static readonly string[] SignedByStripe = ["POST /v1/stripe/webhooks", "POST /v1/stripe/webhooks/{accountId}"];

    [Fact]
    public async Task The_operator_may_call_every_route()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var account = Seed.AccountUrl(accountId);
        var tenant = Seed.TenantUrl(accountId, "t1");
        string? keyId = null;

        // One call per route with its own success answer (the operator reaches each handler), in an order
        // that gives each call what it needs; a retry answers 409 because no invoice has failed.
        var calls = new (string Route, Func<Task<HttpResponseMessage>> Send, HttpStatusCode Expected)[]
        {
            ("POST /v1/accounts", () => _operator.PostJsonAsync("/v1/accounts", JsonSerializer.Serialize(new { accountId = Seed.NewId("op"), name = "Operator's" })), HttpStatusCode.Created),
            ("GET /v1/accounts", () => _operator.GetAsync("/v1/accounts?limit=5"), HttpStatusCode.OK),
            ("GET /v1/accounts/{accountId}", () => _operator.GetAsync(account), HttpStatusCode.OK),
            ("POST /v1/accounts/{accountId}/api-keys", async () =>
            {
                var issued = await _operator.SendAsync(HttpMethod.Post, $"{account}/api-keys");
                keyId = (await issued.JsonAsync()).GetProperty("keyId").GetString();
                return issued;
            }, HttpStatusCode.Created),
            ("DELETE /v1/accounts/{accountId}/api-keys/{keyId}", () => _operator.DeleteAsync($"{account}/api-keys/{keyId}"), HttpStatusCode.NoContent),
            ("PUT /v1/accounts/{accountId}/settings", () => _operator.PutJsonAsync($"{account}/settings", """{"daysUntilDue":14,"stripeRequestsPerSecond":25}"""), HttpStatusCode.OK),
            ("PUT /v1/accounts/{accountId}/stripe-connection", () => _operator.PutJsonAsync($"{account}/stripe-connection", """{"stripeAccountId":"acct_1ExampleConnected"}"""), HttpStatusCode.OK),
            ("DELETE /v1/accounts/{accountId}/stripe-connection", () => _operator.DeleteAsync($"{account}/stripe-connection"), HttpStatusCode.OK),
            ("GET /v1/accounts/{accountId}/fees", () => _operator.GetAsync($"{account}/fees?month=2026-11"), HttpStatusCode.OK),
            ("GET /v1/accounts/{accountId}/tax-report", () => _operator.GetAsync($"{account}/tax-report?month=2026-11"), HttpStatusCode.OK),
            ("GET /v1/bill-runs/{date}", () => _operator.GetAsync("/v1/bill-runs/2026-11-20"), HttpStatusCode.OK),
            ("PUT /v1/accounts/{accountId}/tenants/{tenantId}", () => _operator.PutJsonAsync(tenant, Seed.TenantBody()), HttpStatusCode.Created),
            ("GET /v1/accounts/{accountId}/tenants", () => _operator.GetAsync($"{account}/tenants"), HttpStatusCode.OK),
            ("GET /v1/accounts/{accountId}/tenants/{tenantId}", () => _operator.GetAsync(tenant), HttpStatusCode.OK),
            ("POST /v1/accounts/{accountId}/tenants/{tenantId}/address/validate", () => _operator.SendAsync(HttpMethod.Post, $"{tenant}/address/validate"), HttpStatusCode.OK),
            ("PUT /v1/accounts/{accountId}/tenants/{tenantId}/billing-profile", () => _operator.PutJsonAsync($"{tenant}/billing-profile", Seed.ProfileBody), HttpStatusCode.OK),
            ("GET /v1/accounts/{accountId}/tenants/{tenantId}/billing-profile", () => _operator.GetAsync($"{tenant}/billing-profile"), HttpStatusCode.OK),
            ("PUT /v1/accounts/{accountId}/tenants/{tenantId}/tax-exemptions", () => _operator.PutJsonAsync($"{tenant}/tax-exemptions", """{"federal":false,"stateLocal":false,"sales":true}"""), HttpStatusCode.OK),
            ("PUT /v1/accounts/{accountId}/tenants/{tenantId}/statements/{period}", () => _operator.PutJsonAsync($"{tenant}/statements/2026-10", """{"usageTotal":1,"quantities":{}}"""), HttpStatusCode.Created),
            ("POST /v1/statements/batch", () => _operator.SendAsync(
                HttpMethod.Post, "/v1/statements/batch", JsonSerializer.Serialize(new { accountId, tenantId = "t1", period = "2026-09", usageTotal = 1, quantities = new { } }), Http.NdJson),
                HttpStatusCode.OK),
            ("GET /v1/accounts/{accountId}/tenants/{tenantId}/invoices", () => _operator.GetAsync($"{tenant}/invoices"), HttpStatusCode.OK),
            ("GET /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{period}/preview", () => _operator.GetAsync($"{tenant}/invoices/2026-10/preview"), HttpStatusCode.OK),
            ("POST /v1/accounts/{accountId}/tenants/{tenantId}/one-time-invoices", () => _operator.PostJsonAsync(
                $"{tenant}/one-time-invoices", """{"requestId":"r1","items":[{"description":"Setup","quantity":1,"unitPrice":25,"taxCategory":"non_taxable"}]}"""),
                HttpStatusCode.Created),
            ("POST /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{invoiceId}/retry", () => _operator.SendAsync(HttpMethod.Post, $"{tenant}/invoices/once-r1/retry"), HttpStatusCode.Conflict),
            ("POST /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{invoiceId}/void", () => _operator.SendAsync(HttpMethod.Post, $"{tenant}/invoices/once-r1/void"), HttpStatusCode.Conflict),
            ("POST /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{invoiceId}/credit", () => _operator.PostJsonAsync(
                $"{tenant}/invoices/once-r1/credit", """{"requestId":"c1","destination":"balance","lines":[{"lineRef":"item-1"}]}"""), HttpStatusCode.Conflict),
            ("GET /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{invoiceId}/credits", () => _operator.GetAsync($"{tenant}/invoices/once-r1/credits"), HttpStatusCode.OK),
            ("GET /v1/test-clock", () => _operator.GetAsync("/v1/test-clock"), HttpStatusCode.OK),
            ("POST /v1/test-clock", () => _operator.PostJsonAsync("/v1/test-clock", JsonSerializer.Serialize(new { now = ApiFactory.Now })), HttpStatusCode.OK),
            ("DELETE /v1/accounts/{accountId}/tenants/{tenantId}/billing-profile", () => _operator.DeleteAsync($"{tenant}/billing-profile"), HttpStatusCode.NoContent),
        };

        // Every route the app maps under /v1 that takes a key has its call here, and every call is to a route the app has.
        var routes = ApiRoute.Of(api.Services).Where(r => r.Template.StartsWith("/v1/", StringComparison.Ordinal)).Select(r => r.Name).ToList();
        var anonymous = AnonymousRoutes();
        Assert.Equal(SignedByStripe.Order(StringComparer.Ordinal), routes.Where(anonymous.Contains).Order(StringComparer.Ordinal));
        Assert.Equal(routes.Where(r => !anonymous.Contains(r)).Order(StringComparer.Ordinal), calls.Select(c => c.Route).Order(StringComparer.Ordinal));

        foreach (var (route, send, expected) in calls)
        {
            var response = await send();
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == expected, $"{route}: expected {(int)expected}, got {(int)response.StatusCode}: {body}");
            if (expected == HttpStatusCode.Conflict)
            {
                // The held one-time invoice is past the rules, not the key: each route says why it refuses it.
                Assert.Contains(route.EndsWith("/retry", StringComparison.Ordinal) ? "Only a failed invoice can be retried" : route.EndsWith("/void", StringComparison.Ordinal) ? "open in Stripe" : "Only a paid invoice", body, StringComparison.Ordinal);
            }

            if (route == "POST /v1/statements/batch")
            {
                Assert.Equal(201, JsonDocument.Parse(body).RootElement.GetProperty("status").GetInt32());   // the line itself was taken
            }
        }
    }

    [Theory]
    [InlineData("GET", "{account}")]
    [InlineData("GET", "{account}/tenants")]
    [InlineData("GET", "{tenant}")]
    [InlineData("PUT", "{tenant}")]
    [InlineData("POST", "{tenant}/address/validate")]
    [InlineData("GET", "{tenant}/billing-profile")]
    [InlineData("PUT", "{tenant}/billing-profile")]
    [InlineData("DELETE", "{tenant}/billing-profile")]
    [InlineData("PUT", "{tenant}/tax-exemptions")]
    [InlineData("GET", "{tenant}/invoices")]
    [InlineData("GET", "{tenant}/invoices/2026-10/preview")]
    [InlineData("POST", "{tenant}/one-time-invoices")]
    [InlineData("POST", "{account}/api-keys")]
    public async Task An_account_key_reaching_another_account_gets_the_404_of_a_missing_account(string method, string template)
    {
        var mine = await Seed.AccountAsync(_operator);
        var (_, myKey) = await Seed.KeyAsync(_operator, mine);
        var theirs = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, theirs, "t1");
        var missing = Seed.NewId("missing");
        var before = await (await _operator.GetAsync(Seed.TenantUrl(theirs, "t1"))).Content.ReadAsStringAsync();
        var body = BodyFor(method, template);

        var response = await api.Client(myKey).SendAsync(new HttpMethod(method), Expand(template, theirs), body);
        var asIfMissing = await _operator.GetAsync(Seed.AccountUrl(missing));

        var problem = await response.ExpectProblemAsync(HttpStatusCode.NotFound);
        var missingProblem = await asIfMissing.ExpectProblemAsync(HttpStatusCode.NotFound);
        Assert.Equal(missingProblem.GetProperty("title").GetString()!.Replace(missing, theirs, StringComparison.Ordinal), problem.GetProperty("title").GetString());
        Assert.Equal(before, await (await _operator.GetAsync(Seed.TenantUrl(theirs, "t1"))).Content.ReadAsStringAsync());
        await (await api.Client(myKey).GetAsync(Seed.AccountUrl(mine))).ExpectJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_account_key_may_use_its_own_account()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var (_, key) = await Seed.KeyAsync(_operator, accountId);
        var client = api.Client(key);

        await Seed.BillableTenantAsync(client, accountId, "own");
        var account = await (await client.GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK);
        var page = await (await client.GetAsync($"{Seed.AccountUrl(accountId)}/tenants")).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, account.GetProperty("tenantCount").GetInt32());
        Assert.Equal(["own"], page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("tenantId").GetString()));
    }

    [Theory]
    [InlineData("POST", "/v1/accounts")]
    [InlineData("POST", "{account}/api-keys")]
    [InlineData("DELETE", "{account}/api-keys/{keyId}")]
    [InlineData("PUT", "{tenant}/statements/2026-10")]
    [InlineData("POST", "/v1/statements/batch")]
    [InlineData("GET", "/v1/test-clock")]
    [InlineData("POST", "/v1/test-clock")]
    public async Task An_account_key_on_an_operator_only_route_of_its_own_account_is_403_and_changes_nothing(string method, string template)
    {
        var accountId = await Seed.AccountAsync(_operator);
        var (keyId, key) = await Seed.KeyAsync(_operator, accountId);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        var newAccountId = Seed.NewId("new");
        var body = method switch
        {
            "GET" or "DELETE" => null,
            _ when template == "/v1/accounts" => JsonSerializer.Serialize(new { accountId = newAccountId, name = "Mine now" }),
            _ when template.EndsWith("/batch", StringComparison.Ordinal) =>
                JsonSerializer.Serialize(new { accountId, tenantId = "t1", period = "2026-10", usageTotal = 1, quantities = new { } }),
            _ when template == "/v1/test-clock" => """{"now":"2030-01-01T00:00:00Z"}""",
            _ => BodyFor(method, template),
        };

        var response = await api.Client(key).SendAsync(
            new HttpMethod(method), Expand(template, accountId).Replace("{keyId}", keyId, StringComparison.Ordinal), body,
            template.EndsWith("/batch", StringComparison.Ordinal) ? Http.NdJson : Http.Json);

        var problem = await response.ExpectProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal("Only the operator may call this route.", problem.GetProperty("title").GetString());
        await (await api.Client(key).GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK);
        await (await _operator.GetAsync(Seed.AccountUrl(newAccountId))).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await _operator.GetAsync($"{Seed.TenantUrl(accountId, "t1")}/invoices/2026-10/preview")).ExpectProblemAsync(HttpStatusCode.NotFound);
        var clock = await (await _operator.GetAsync("/v1/test-clock")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal(ApiFactory.Now, clock.GetProperty("now").GetDateTimeOffset());
    }

    [Fact]
    public async Task A_revoked_key_is_401_on_the_next_request_while_the_account_s_other_keys_still_work()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var (keyId, key) = await Seed.KeyAsync(_operator, accountId);
        var (_, otherKey) = await Seed.KeyAsync(_operator, accountId);
        await (await api.Client(key).GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.NoContent, (await _operator.DeleteAsync($"{Seed.AccountUrl(accountId)}/api-keys/{keyId}")).StatusCode);

        await (await api.Client(key).GetAsync(Seed.AccountUrl(accountId))).ExpectProblemAsync(HttpStatusCode.Unauthorized);
        await (await api.Client(otherKey).GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await _operator.DeleteAsync($"{Seed.AccountUrl(accountId)}/api-keys/{keyId}")).StatusCode);
        await (await _operator.DeleteAsync($"{Seed.AccountUrl(accountId)}/api-keys/0123456789abcdef01234567")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_key_is_shown_once_when_issued_and_never_again()
    {
        var accountId = await Seed.AccountAsync(_operator);

        var issued = await (await _operator.SendAsync(HttpMethod.Post, $"{Seed.AccountUrl(accountId)}/api-keys")).ExpectJsonAsync(HttpStatusCode.Created);
        var second = await (await _operator.SendAsync(HttpMethod.Post, $"{Seed.AccountUrl(accountId)}/api-keys")).ExpectJsonAsync(HttpStatusCode.Created);

        var key = issued.GetProperty("key").GetString()!;
        var keyId = issued.GetProperty("keyId").GetString()!;
        Assert.Matches("^tbk_[0-9a-f]{24}_[0-9a-f]{64}$", key);
        Assert.StartsWith($"tbk_{keyId}_", key, StringComparison.Ordinal);
        Assert.NotEqual(key, second.GetProperty("key").GetString());
        var secret = key[(key.LastIndexOf('_') + 1)..];
        foreach (var client in new[] { _operator, api.Client(key) })
        {
            var account = await (await client.GetAsync(Seed.AccountUrl(accountId))).Content.ReadAsStringAsync();
            Assert.DoesNotContain(secret, account, StringComparison.Ordinal);
            Assert.DoesNotContain("tbk_", account, StringComparison.Ordinal);
        }
    }

    /// <summary>The routes that allow calls without a key, as METHOD /template.</summary>
    private HashSet<string> AnonymousRoutes() =>
        api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAllowAnonymous>() is not null)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => $"{m} /{e.RoutePattern.RawText!.Trim('/')}"))
            .ToHashSet(StringComparer.Ordinal);

    private static string Expand(string template, string accountId) => template
        .Replace("{tenant}", Seed.TenantUrl(accountId, "t1"), StringComparison.Ordinal)
        .Replace("{account}", Seed.AccountUrl(accountId), StringComparison.Ordinal);

    /// <summary>A valid body for the route, so only the caller can be the reason for a refusal.</summary>
    private static string? BodyFor(string method, string template) => (method, template) switch
    {
        ("PUT", "{tenant}") => Seed.TenantBody(name: "Hijacked"),
        ("PUT", "{tenant}/billing-profile") => Seed.ProfileBody,
        ("PUT", "{tenant}/tax-exemptions") => """{"federal":true,"stateLocal":true,"sales":true}""",
        ("PUT", "{tenant}/statements/2026-10") => """{"usageTotal":12.5,"quantities":{"minutes_outbound":100}}""",
        ("POST", "{tenant}/one-time-invoices") => """{"requestId":"r1","items":[{"description":"Setup","quantity":1,"unitPrice":25,"taxCategory":"non_taxable"}]}""",
        _ => null,
    };
}
