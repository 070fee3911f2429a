using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Api.Tests.Support;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>
/// The OpenAPI document lists, for each route, exactly the problem answers (4xx/5xx) the route gives:
/// every route is probed the ways any route can fail (no key, an account key, another account's key, a
/// malformed tenant id, an unreadable, oversized or non-JSON body), and each answer only a route's own
/// rules give (409, 422, 503, a bad query value) is provoked by a scenario. What was seen must equal
/// what is documented, both ways.
/// </summary>
public sealed class ProblemAnswersTests(ProblemAnswersTests.Apis apis) : IClassFixture<ProblemAnswersTests.Apis>
{
    private const string Statement = """{"usageTotal":12.5,"quantities":{"minutes_outbound":100}}""";

    private const string Credit = """{"requestId":"c1","destination":"balance","lines":[{"lineRef":"item-1"}]}""";

    /// <summary>Route → the scenarios that provoke its own answers; each returns the status it got.</summary>
    private static readonly Dictionary<string, Func<Context, Task<HttpStatusCode>>[]> Scenarios = new(StringComparer.Ordinal)
    {
        ["POST /v1/accounts"] = [c => Status(c.Operator.PostJsonAsync("/v1/accounts", JsonSerializer.Serialize(new { accountId = c.Account, name = "Again" })))],
        ["GET /v1/accounts"] = [c => Status(c.Operator.GetAsync("/v1/accounts?limit=0"))],
        ["GET /v1/accounts/{accountId}/tenants"] = [c => Status(c.Operator.GetAsync($"{Seed.AccountUrl(c.Account)}/tenants?limit=201"))],
        ["POST /v1/accounts/{accountId}/tenants/{tenantId}/address/validate"] = [c => Status(c.Operator.SendAsync(HttpMethod.Post, $"{c.Tenant("wrong-zip")}/address/validate"))],
        ["PUT /v1/accounts/{accountId}/tenants/{tenantId}/billing-profile"] = [c => Status(c.Operator.PutJsonAsync($"{c.Tenant("unvalidated")}/billing-profile", Seed.ProfileBody))],
        ["PUT /v1/accounts/{accountId}/tenants/{tenantId}/statements/{period}"] =
        [
            c => Status(c.Operator.PutJsonAsync($"{c.Tenant("probe-none")}/statements/2026-10", Statement)),
            c => Status(c.Operator.PutJsonAsync($"{c.Tenant("invoiced")}/statements/2026-11", """{"usageTotal":99,"quantities":{}}""")),
        ],
        ["GET /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{period}/preview"] =
        [
            c => Status(c.Operator.GetAsync($"{c.Tenant("billable")}/invoices/2026-13/preview")),
            c => Status(c.Operator.GetAsync($"{c.Tenant("billable")}/invoices/2026-09/preview")),
            c => Status(c.Operator.GetAsync($"{c.Tenant("unvalidated")}/invoices/2026-10/preview")),
            c => Status(c.TaxesDown.GetAsync($"{Seed.TenantUrl(c.TaxesDownAccount, "billable")}/invoices/2026-10/preview")),
        ],
        ["POST /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{invoiceId}/retry"] =
        [
            c => Status(c.Operator.SendAsync(HttpMethod.Post, $"{c.Tenant("billable")}/invoices/not-an-id/retry")),
            c => Status(c.Operator.SendAsync(HttpMethod.Post, $"{c.Tenant("billable")}/invoices/once-held/retry")),
        ],
        ["POST /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{invoiceId}/void"] =
        [
            c => Status(c.Operator.SendAsync(HttpMethod.Post, $"{c.Tenant("billable")}/invoices/once-held/void")),
            async c =>
            {
                var url = await c.Stripe.SentOneTimeInvoiceAsync("to-void");
                return await c.Stripe.WhileStripeFailsAsync(() => Status(c.Stripe.Operator.SendAsync(HttpMethod.Post, $"{url}/void")));
            },
        ],
        ["POST /v1/accounts/{accountId}/tenants/{tenantId}/invoices/{invoiceId}/credit"] =
        [
            c => Status(c.Operator.PostJsonAsync($"{c.Tenant("billable")}/invoices/once-held/credit", Credit)),
            async c =>
            {
                var url = await c.Stripe.PaidOneTimeInvoiceAsync("to-credit");
                return await c.Stripe.WhileStripeFailsAsync(() => Status(c.Stripe.Operator.PostJsonAsync($"{url}/credit", Credit)));
            },
        ],
        ["POST /v1/accounts/{accountId}/tenants/{tenantId}/one-time-invoices"] =
        [
            c => Status(c.Operator.PostJsonAsync($"{c.Tenant("unvalidated")}/one-time-invoices", """{"requestId":"r1","items":[{"productCode":"local_numbers","quantity":1}]}""")),
            c => Status(c.TaxesDown.PostJsonAsync($"{Seed.TenantUrl(c.TaxesDownAccount, "billable")}/one-time-invoices", """{"requestId":"r1","items":[{"productCode":"local_numbers","quantity":1}]}""")),
        ],
        ["PUT /v1/accounts/{accountId}/stripe-connection"] =
        [
            c => Status(c.Operator.PutJsonAsync($"{Seed.AccountUrl(c.Account)}/stripe-connection", """{"secretKey":"sk_test_0123456789abcdef"}""")),
            c => Status(c.OwnKey.PutJsonAsync($"{Seed.AccountUrl(c.Account)}/stripe-connection", """{"stripeAccountId":"acct_1OwnKeyMayNot"}""")),
            c => Status(c.Stripe.Operator.PutJsonAsync($"{Seed.AccountUrl(c.Stripe.Account)}/stripe-connection", """{"secretKey":"sk_live_0123456789abcdef"}""")),
            c => c.Stripe.WhileStripeFailsAsync(() => Status(c.Stripe.Operator.PutJsonAsync(
                $"{Seed.AccountUrl(c.Stripe.Account)}/stripe-connection", """{"secretKey":"sk_test_0123456789abcdef"}"""))),
        ],
        ["POST /v1/stripe/webhooks"] = [c => c.Stripe.WhileStripeFailsAsync(() => c.Stripe.PostThinEventAsync("/v1/stripe/webhooks", c.Stripe.ConnectAccountId))],
        ["POST /v1/stripe/webhooks/{accountId}"] =
        [
            c => Status(c.Anonymous.PostJsonAsync("/v1/stripe/webhooks/nobody-here", "{}")),
            c => c.Stripe.WhileStripeFailsAsync(() => c.Stripe.PostThinEventAsync($"/v1/stripe/webhooks/{c.Stripe.KeyAccount}", null, StripeSide.KeyWebhookSecret)),
        ],
        ["GET /v1/accounts/{accountId}/fees"] = [c => Status(c.Operator.GetAsync($"{Seed.AccountUrl(c.Account)}/fees?month=2026-13"))],
        ["GET /v1/accounts/{accountId}/tax-report"] = [c => Status(c.Operator.GetAsync($"{Seed.AccountUrl(c.Account)}/tax-report"))],
    };

    [Fact]
    public async Task Each_route_documents_exactly_the_problem_answers_it_gives()
    {
        var context = await apis.ContextAsync();
        var documented = await DocumentedProblemsAsync();
        var mismatches = new List<string>();

        foreach (var route in ApiRoute.Of(apis.Api.Services).Where(r => r.Template.StartsWith("/v1/", StringComparison.Ordinal)))
        {
            var seen = new SortedSet<int>();
            foreach (var status in await ProbeAsync(route, context))
            {
                seen.Add((int)status);
            }

            foreach (var scenario in Scenarios.GetValueOrDefault(route.Name) ?? [])
            {
                seen.Add((int)await scenario(context));
            }

            seen.RemoveWhere(s => s < 400);
            var listed = documented.GetValueOrDefault(route.Name) ?? [];
            if (!seen.SetEquals(listed))
            {
                mismatches.Add($"{route.Name}: gives [{string.Join(", ", seen)}], documents [{string.Join(", ", listed.Order())}]");
            }
        }

        Assert.Empty(Scenarios.Keys.Except(ApiRoute.Of(apis.Api.Services).Select(r => r.Name)));
        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
    }

    [Fact]
    public async Task Every_problem_answer_is_a_problem_document()
    {
        var document = await DocumentAsync();

        foreach (var (name, operation) in Operations(document))
        {
            foreach (var response in operation.GetProperty("responses").EnumerateObject().Where(r => int.Parse(r.Name) >= 400))
            {
                var content = response.Value.GetProperty("content");
                Assert.True(content.TryGetProperty("application/problem+json", out var media), $"{name} {response.Name}: not application/problem+json");
                var schema = media.GetProperty("schema").GetProperty("$ref").GetString();
                Assert.Equal(response.Name == "400" ? "#/components/schemas/HttpValidationProblemDetails" : "#/components/schemas/ProblemDetails", schema);
                Assert.False(string.IsNullOrWhiteSpace(response.Value.GetProperty("description").GetString()), $"{name} {response.Name}: no description");
            }
        }
    }

    /// <summary>The answers of the ways any route can fail, with ids that leave every resource as it is.</summary>
    private static async Task<IEnumerable<HttpStatusCode>> ProbeAsync(ApiRoute route, Context c)
    {
        string Url(string tenantId) => route.Url(p => p switch
        {
            "accountId" => c.Account,
            "tenantId" => tenantId,
            "period" or "invoiceId" => "2026-10",
            _ => "none",
        });

        var jsonBody = route.BodyContentType == Http.Json;
        var body = jsonBody ? "{}" : route.BodyContentType == Http.NdJson ? string.Empty : null;
        var method = new HttpMethod(route.Method);
        var statuses = new List<HttpStatusCode>
        {
            await Status(c.Anonymous.SendAsync(method, Url("probe-none"), body, route.BodyContentType)),
            await Status(c.OwnKey.SendAsync(method, Url("probe-none"), body, route.BodyContentType)),
            await Status(c.OtherAccountKey.SendAsync(method, Url("probe-none"), body, route.BodyContentType)),
        };

        if (route.Parameters.Contains("tenantId"))
        {
            statuses.Add(await Status(c.Operator.SendAsync(method, Url("not a tenant id"), body, route.BodyContentType)));
        }

        if (jsonBody)
        {
            statuses.Add(await Status(c.Operator.SendAsync(method, Url("probe-none"), """{"notAField":1}""")));
            statuses.Add(await Status(c.Operator.SendAsync(method, Url("probe-none"), new string(' ', 1_100_000) + "{}")));
            statuses.Add(await Status(c.Operator.SendAsync(method, Url("probe-none"), "{}", "text/plain")));
        }

        return statuses;
    }

    private async Task<Dictionary<string, HashSet<int>>> DocumentedProblemsAsync() =>
        Operations(await DocumentAsync()).ToDictionary(
            o => o.Name,
            o => o.Operation.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name)).Where(s => s >= 400).ToHashSet());

    private async Task<JsonElement> DocumentAsync() =>
        await (await apis.Api.Client(null).GetAsync("/openapi/v1.json")).ExpectJsonAsync(HttpStatusCode.OK);

    internal static IEnumerable<(string Name, JsonElement Operation)> Operations(JsonElement document) =>
        document.GetProperty("paths").EnumerateObject().SelectMany(path => path.Value.EnumerateObject()
            .Where(o => o.Name is "get" or "put" or "post" or "delete" or "patch")
            .Select(o => ($"{o.Name.ToUpperInvariant()} {path.Name}", o.Value)));

    private static async Task<HttpStatusCode> Status(Task<HttpResponseMessage> request)
    {
        using var response = await request;
        return response.StatusCode;
    }

    /// <summary>The accounts, tenants and keys the probes and scenarios use, set up once.</summary>
    public sealed record Context(
        HttpClient Operator, HttpClient Anonymous, HttpClient OwnKey, HttpClient OtherAccountKey, string Account,
        HttpClient TaxesDown, string TaxesDownAccount, StripeSide Stripe)
    {
        public string Tenant(string tenantId) => Seed.TenantUrl(Account, tenantId);
    }

    /// <summary>The API as deployed by default, and one whose tax provider fails every call.</summary>
    public sealed class Apis : IAsyncLifetime
    {
        private Context? _context;

        public ApiFactory Api { get; } = new();

        public TaxesDownFactory TaxesDown { get; } = new();

        public StripeApiFactory WithStripe { get; } = new();

        public Task InitializeAsync() => ((IAsyncLifetime)WithStripe).InitializeAsync();

        public async Task DisposeAsync()
        {
            await Api.DisposeAsync();
            await TaxesDown.DisposeAsync();
            await ((IAsyncLifetime)WithStripe).DisposeAsync();
        }

        public async Task<Context> ContextAsync() => _context ??= await SetUpAsync();

        private async Task<Context> SetUpAsync()
        {
            var op = Api.Operator();
            var account = await Seed.AccountAsync(op);
            var other = await Seed.AccountAsync(op);
            await Seed.BillableTenantAsync(op, account, "billable");
            await Seed.TenantAsync(op, account, "unvalidated");
            await (await op.PutJsonAsync($"{Seed.TenantUrl(account, "unvalidated")}/statements/2026-10", Statement)).ExpectJsonAsync(HttpStatusCode.Created);
            await Seed.TenantAsync(op, account, "wrong-zip", Seed.TenantBody(city: "Los Angeles", state: "CA", postalCode: "10001"));

            // A one-time invoice for an account without Stripe is held: not failed, so a retry is refused.
            await (await op.PostJsonAsync($"{Seed.TenantUrl(account, "billable")}/one-time-invoices", """{"requestId":"held","items":[{"productCode":"local_numbers","quantity":1}]}"""))
                .ExpectJsonAsync(HttpStatusCode.Created);

            await InvoiceNovemberAsync(op, account);

            var taxesDown = TaxesDown.Operator();
            var taxesDownAccount = await Seed.AccountAsync(taxesDown);
            await Seed.BillableTenantAsync(taxesDown, taxesDownAccount, "billable");
            await (await taxesDown.PutJsonAsync($"{Seed.TenantUrl(taxesDownAccount, "billable")}/statements/2026-10", Statement)).ExpectJsonAsync(HttpStatusCode.Created);

            return new Context(
                op, Api.Client(null), Api.Client((await Seed.KeyAsync(op, account)).Key), Api.Client((await Seed.KeyAsync(op, other)).Key), account,
                taxesDown, taxesDownAccount, await StripeSide.SetUpAsync(WithStripe));
        }

        /// <summary>
        /// Tenant "invoiced": November's invoice handed over, by moving the test clock past its billing day.
        /// The clock stays on December 6, so November stays a closed month for the scenarios.
        /// </summary>
        private static async Task InvoiceNovemberAsync(HttpClient op, string account)
        {
            var tenantUrl = Seed.TenantUrl(account, "invoiced");
            await Seed.BillableTenantAsync(op, account, "invoiced");
            await MoveClockAsync(op, new DateTimeOffset(2026, 12, 2, 0, 0, 0, TimeSpan.Zero));
            await (await op.PutJsonAsync($"{tenantUrl}/statements/2026-11", Statement)).ExpectJsonAsync(HttpStatusCode.Created);
            await MoveClockAsync(op, new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));
            await Eventually.TrueAsync(
                async () => (await (await op.GetAsync($"{tenantUrl}/invoices")).ExpectJsonAsync(HttpStatusCode.OK)).EnumerateArray()
                    .Any(i => i.GetProperty("period").GetString() == "2026-11" && i.GetProperty("status").GetString() is not ("scheduled" or "composing")),
                TimeSpan.FromSeconds(60));
        }

        private static async Task MoveClockAsync(HttpClient op, DateTimeOffset now) =>
            await (await op.PostJsonAsync("/v1/test-clock", JsonSerializer.Serialize(new { now }))).ExpectJsonAsync(HttpStatusCode.OK);
    }

    /// <summary>The API with a tax provider that fails every call, as one that is down would.</summary>
    public sealed class TaxesDownFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<ITaxProvider, FailingTaxProvider>());
        }

        private sealed class FailingTaxProvider : ITaxProvider
        {
            public string Name => "down";

            public Task<TaxResult> QuoteAsync(TaxRequest request, CancellationToken cancellationToken) => throw new HttpRequestException("The tax provider is down.");

            public Task<TaxResult> CommitAsync(TaxRequest request, CancellationToken cancellationToken) => throw new HttpRequestException("The tax provider is down.");

            public Task VoidAsync(string documentCode, CancellationToken cancellationToken) => throw new HttpRequestException("The tax provider is down.");
        }
    }

    /// <summary>
    /// The API with Stripe settings and the fake behind them: an account left unconnected for connection
    /// checks, one connected through Connect and one with its own key and webhook secret, for thin events.
    /// </summary>
    public sealed record StripeSide(StripeApiFactory Factory, HttpClient Operator, string Account, string ConnectAccount, string ConnectAccountId, string KeyAccount, string KeyAccountSecret)
    {
        public const string KeyWebhookSecret = "whsec_problem_answers_own_key";

        public static async Task<StripeSide> SetUpAsync(StripeApiFactory factory)
        {
            var op = factory.Operator();
            var connectAccount = await Seed.AccountAsync(op);
            var connectAccountId = $"acct_{Guid.NewGuid():N}"[..21];
            await (await op.PutJsonAsync($"{Seed.AccountUrl(connectAccount)}/stripe-connection", JsonSerializer.Serialize(new { stripeAccountId = connectAccountId })))
                .ExpectJsonAsync(HttpStatusCode.OK);
            var keyAccount = await Seed.AccountAsync(op);
            var secret = $"sk_test_{Guid.NewGuid():N}";
            await (await op.PutJsonAsync($"{Seed.AccountUrl(keyAccount)}/stripe-connection", JsonSerializer.Serialize(new { secretKey = secret, webhookSecret = KeyWebhookSecret })))
                .ExpectJsonAsync(HttpStatusCode.OK);
            await Seed.BillableTenantAsync(op, keyAccount, "billable");
            return new StripeSide(factory, op, await Seed.AccountAsync(op), connectAccount, connectAccountId, keyAccount, secret);
        }

        /// <summary>A one-time invoice of the own-key account, sent in Stripe (open there); the URL of its invoice routes.</summary>
        public async Task<string> SentOneTimeInvoiceAsync(string requestId)
        {
            var tenantUrl = Seed.TenantUrl(KeyAccount, "billable");
            await (await Operator.PostJsonAsync($"{tenantUrl}/one-time-invoices", JsonSerializer.Serialize(new { requestId, items = new[] { new { description = "Set-up", quantity = 1, unitPrice = 40, taxCategory = "non_taxable" } } })))
                .ExpectJsonAsync(HttpStatusCode.Created);
            await Eventually.TrueAsync(
                async () => (await (await Operator.GetAsync($"{tenantUrl}/invoices")).ExpectJsonAsync(HttpStatusCode.OK)).EnumerateArray()
                    .Any(i => i.GetProperty("requestId").GetString() == requestId && i.GetProperty("status").GetString() == "sent"),
                TimeSpan.FromSeconds(60));
            return $"{tenantUrl}/invoices/once-{requestId}";
        }

        /// <summary>As <see cref="SentOneTimeInvoiceAsync"/>, then paid: Stripe's <c>invoice.paid</c> arrives on the account's webhook.</summary>
        public async Task<string> PaidOneTimeInvoiceAsync(string requestId)
        {
            var url = await SentOneTimeInvoiceAsync(requestId);
            var invoice = (await (await Operator.GetAsync($"{Seed.TenantUrl(KeyAccount, "billable")}/invoices")).ExpectJsonAsync(HttpStatusCode.OK)).EnumerateArray()
                .Single(i => i.GetProperty("requestId").GetString() == requestId).GetProperty("stripeInvoiceId").GetString()!;
            await CorrectionsApiTests.PayOutOfBandAsync(Factory.Stripe, KeyAccountSecret, invoice);
            var paid = Factory.Stripe.BuildWebhook(Factory.Stripe.PlatformAccountId(KeyAccountSecret), invoice, "invoice.paid", KeyWebhookSecret);
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/v1/stripe/webhooks/{KeyAccount}") { Content = new StringContent(paid.Payload, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.TryAddWithoutValidation("Stripe-Signature", paid.SignatureHeader);
            using var response = await Factory.Client(null).SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return url;
        }

        /// <summary>Runs <paramref name="request"/> while every Stripe request fails before its work with a 500.</summary>
        public async Task<HttpStatusCode> WhileStripeFailsAsync(Func<Task<HttpStatusCode>> request)
        {
            var fault = Factory.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork) { Count = null });
            try
            {
                return await request();
            }
            finally
            {
                fault.Remove();
            }
        }

        /// <summary>A signed thin event naming an invoice, which the API must read back from Stripe.</summary>
        public async Task<HttpStatusCode> PostThinEventAsync(string path, string? context, string secret = StripeApiFactory.WebhookSecret)
        {
            var payload = JsonSerializer.Serialize(new Dictionary<string, object?>
            {
                ["id"] = $"evt_{Guid.NewGuid():N}",
                ["object"] = "v2.core.event",
                ["type"] = "v1.invoice.paid",
                ["created"] = "2026-11-21T09:00:00.000Z",
                ["livemode"] = false,
                ["context"] = context,
                ["related_object"] = new { id = "in_1ProblemAnswers", type = "invoice", url = "/v1/invoices/in_1ProblemAnswers" },
            });
            var signed = Factory.Stripe.SignPayload(payload, secret);
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(signed.Payload, System.Text.Encoding.UTF8, "application/json") };
            request.Headers.Add("Stripe-Signature", signed.SignatureHeader);
            using var response = await Factory.Client(null).SendAsync(request);
            return response.StatusCode;
        }
    }
}
