using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces.Models;
using AccountSettings = TenantBilling.Grains.Interfaces.Models.AccountSettings;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// The HTTP requests our <see cref="StripeGateway"/> and Stripe.net's own services send, recorded under the same
/// HttpClient set-up as in production (Stripe.net's <see cref="SystemNetHttpClient"/>, no retries), answered with
/// small canned Stripe objects, so the two can be compared byte for byte.
/// </summary>
internal sealed class RecordedWire : IDisposable
{
    public const string AccountKey = "sk_test_wire_account_key";
    public const string PlatformKey = "sk_test_wire_platform_key";
    private const string ApiBase = "http://127.0.0.1:9";

    public static readonly StripeAccess Connect = new("acct-wire", StripeConnectionMode.Connect, "acct_connected1", null, AccountSettings.Default);

    private readonly Recorder recorder;
    private readonly HttpClient http;
    private readonly StripeGateway gateway;
    private readonly StripeClient client;
    private readonly StripeAccess access;

    public RecordedWire(bool morePages = false)
    {
        recorder = new Recorder(morePages);
        http = new HttpClient(recorder);
        var options = Options.Create(new StripeOptions { ApiBase = ApiBase, PlatformSecretKey = PlatformKey, EncryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) });
        var secrets = new SecretProtector(options);
        gateway = new StripeGateway(new StripeAccountClient(options, secrets, new OneClient(http)));
        client = new StripeClient(new StripeClientOptions { ApiBase = ApiBase, HttpClient = new SystemNetHttpClient(http, maxNetworkRetries: 0) });
        access = new StripeAccess("acct-wire", StripeConnectionMode.SecretKey, null, secrets.Protect(AccountKey), AccountSettings.Default);
    }

    public Request Last => recorder.Requests[^1];

    /// <summary>The requests one side sent: ours through the gateway, or Stripe.net's through its services.</summary>
    public async Task<IReadOnlyList<Request>> RecordAsync(
        bool ours, Func<StripeGateway, StripeAccess, Task>? viaGateway, Func<StripeClient, Func<string?, RequestOptions>, Task>? viaStripeNet)
    {
        var from = recorder.Requests.Count;
        if (ours)
        {
            await viaGateway!(gateway, access);
        }
        else
        {
            await viaStripeNet!(client, key => new RequestOptions { ApiKey = AccountKey, IdempotencyKey = key });
        }

        return recorder.Requests.Skip(from).ToList();
    }

    /// <summary>Both sides send the same requests: method, path and query, body bytes, content type, key, account, idempotency key and API version.</summary>
    public async Task AssertSameRequestAsync(string shape, Func<StripeGateway, StripeAccess, Task> ours, Func<StripeClient, Func<string?, RequestOptions>, Task> stripeNet)
    {
        var sent = await RecordAsync(ours: true, ours, null);
        var expected = await RecordAsync(ours: false, null, stripeNet);
        Assert.NotEmpty(expected);
        Assert.True(expected.Count == sent.Count, $"{shape}: Stripe.net sent {expected.Count} requests, we sent {sent.Count}");
        for (var i = 0; i < expected.Count; i++)
        {
            var (theirs, mine) = (expected[i], sent[i]);
            Assert.True(theirs.Body.AsSpan().SequenceEqual(mine.Body), $"{shape}, body of {theirs.Body.Length} and {mine.Body.Length} bytes, {FirstDifference(theirs.Body, mine.Body)}");
            Assert.True(theirs with { Body = [] } == mine with { Body = [] }, $"{shape}, request line or headers:\n Stripe.net: {theirs with { Body = [] }}\n ours:       {mine with { Body = [] }}");
        }
    }

    public void Dispose() => http.Dispose();

    /// <summary>Where two bodies part, with some text on either side.</summary>
    private static string FirstDifference(byte[] expected, byte[] actual)
    {
        var at = expected.AsSpan().CommonPrefixLength(actual);
        string Around(byte[] body) => Encoding.UTF8.GetString(body, Math.Max(0, at - 60), Math.Min(body.Length, at + 60) - Math.Max(0, at - 60));
        return $"first difference at byte {at}:\n Stripe.net: …{Around(expected)}…\n ours:       …{Around(actual)}…";
    }

    /// <summary>One request as sent; <see cref="Body"/> compared separately (records compare arrays by reference).</summary>
    public sealed record Request(string Method, string Uri, byte[] Body, string? ContentType, string? Authorization, string? StripeAccount, string? IdempotencyKey, string? StripeVersion);

    private sealed class OneClient(HttpClient http) : IHttpClientFactory
    {
        public HttpClient CreateClient(string name) => http;
    }

    private sealed class Recorder(bool morePages) : HttpMessageHandler
    {
        private const string Invoice = """
            {"id":"in_1Pq2Rs3Tu","object":"invoice","status":"draft","currency":"usd","collection_method":"send_invoice","customer":"cus_Q1w2E3r4",
             "total":0,"subtotal":0,"amount_due":0,"amount_paid":0,"created":1795000000,"lines":{"object":"list","data":[],"has_more":false},
             "metadata":{"tenant_billing_invoice":"acct-1/tenant-9/2026-10#2"},"total_taxes":[],"status_transitions":{"finalized_at":null}}
            """;

        private const string Customer = """{"id":"cus_Q1w2E3r4","object":"customer","metadata":{},"invoice_settings":{"default_payment_method":null}}""";

        public List<Request> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            var uri = request.RequestUri!.PathAndQuery;
            lock (Requests)
            {
                Requests.Add(new Request(
                    request.Method.Method,
                    uri,
                    body,
                    request.Content?.Headers.ContentType?.ToString(),
                    request.Headers.Authorization?.ToString(),
                    Header(request, "Stripe-Account"),
                    Header(request, "Idempotency-Key"),
                    Header(request, "Stripe-Version")));
            }

            var path = request.RequestUri.AbsolutePath;
            var firstPage = !uri.Contains("starting_after", StringComparison.Ordinal);
            var answer = (request.Method.Method, path) switch
            {
                ("GET", "/v1/account") => """{"id":"acct_wire1","object":"account","charges_enabled":true}""",
                ("GET", "/v1/invoices") => List(morePages && firstPage ? """{"id":"in_page1","object":"invoice","metadata":{}}""" : null),
                ("GET", "/v1/customers") => List(morePages && firstPage ? """{"id":"cus_page1","object":"customer","metadata":{}}""" : null),
                ("GET", "/v1/events") => List(null),
                ("DELETE", _) => """{"id":"in_1Pq2Rs3Tu","object":"invoice","deleted":true}""",
                (_, _) when path.StartsWith("/v1/customers", StringComparison.Ordinal) => Customer,
                _ => Invoice,
            };
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(answer, Encoding.UTF8, "application/json") };
        }

        private static string List(string? item) =>
            item is null ? """{"object":"list","data":[],"has_more":false}""" : $$"""{"object":"list","data":[{{item}}],"has_more":true}""";

        private static string? Header(HttpRequestMessage request, string name) =>
            request.Headers.TryGetValues(name, out var values) ? string.Join(",", values) : null;
    }
}
