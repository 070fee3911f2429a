using System.Diagnostics;
using System.Net;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>
/// A month end over HTTP, watched from outside: our metrics at /metrics, and one trace from an HTTP
/// request through its grain calls to the Stripe requests. Meters and activity sources are process-wide,
/// so this collection runs alone and compares counters before and after.
/// </summary>
[Collection(TelemetryCollection.Name)]
public sealed class TelemetryTests(TelemetryApiFactory api) : IClassFixture<TelemetryApiFactory>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly HttpClient _operator = api.Operator();

    [Fact]
    public async Task Our_metrics_appear_at_metrics_after_a_statement_and_an_invoice_without_tenant_or_account_ids()
    {
        var before = await ScrapeAsync();
        await SetClockAsync("2026-10-05T00:00:00Z");
        var accountId = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        await (await _operator.PutJsonAsync($"{Seed.AccountUrl(accountId)}/stripe-connection", JsonSerializer.Serialize(new { secretKey }))).ExpectJsonAsync(HttpStatusCode.OK);
        await Seed.BillableTenantAsync(_operator, accountId, "metered-tenant");

        // $3.10 of carrier usage: a phantom tenant, so the invoice also records a fee.
        await SetClockAsync("2026-11-02T00:00:00Z");
        var statement = """{"usageTotal":3.10,"quantities":{"minutes_outbound":1000}}""";
        await (await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "metered-tenant")}/statements/2026-10", statement)).ExpectJsonAsync(HttpStatusCode.Created);
        await (await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "metered-tenant")}/statements/2026-10", statement)).ExpectJsonAsync(HttpStatusCode.OK);
        await SetClockAsync("2026-11-21T09:00:00Z");
        await Eventually.TrueAsync(async () => await InvoiceStatusAsync(accountId, "metered-tenant") == "sent", Patience);

        Scrape after = null!;
        await Eventually.TrueAsync(
            async () =>
            {
                after = await ScrapeAsync();
                return Delta("tenant_billing_phantom_fees_total") == 1;
            },
            Patience);

        double Delta(string name, params (string, string)[] labels) => after.Value(name, labels) - before.Value(name, labels);
        Assert.Equal(1, Delta("tenant_billing_statements_received_total", ("outcome", "created")));
        Assert.Equal(1, Delta("tenant_billing_statements_received_total", ("outcome", "replayed")));
        Assert.Equal(1, Delta("tenant_billing_stripe_request_duration_seconds_count", ("endpoint", "POST /v1/invoices/{id}/finalize"), ("outcome", "success")));
        Assert.Equal(1, Delta("tenant_billing_stripe_request_duration_seconds_count", ("endpoint", "POST /v1/invoices/{id}/send"), ("outcome", "success")));
        Assert.True(Delta("tenant_billing_stripe_request_duration_seconds_count", ("endpoint", "POST /v1/invoices"), ("outcome", "success")) >= 1);
        Assert.True(Delta("tenant_billing_tax_request_duration_seconds_count", ("provider", "rate-table"), ("operation", "commit"), ("outcome", "success")) >= 1);
        Assert.True(after.Has("tenant_billing_stripe_request_duration_seconds_bucket"));

        // Orleans' meter, ASP.NET Core and the runtime are exported alongside.
        Assert.True(after.Value("orleans_app_requests_latency_milliseconds_count") > 0);
        Assert.True(after.Has("http_server_request_duration_seconds_count"));
        Assert.True(after.Has("dotnet_gc_collections_total"));

        // No sample of any meter is labelled with a tenant, an account or a Stripe object.
        string[] identities = [accountId, "metered-tenant", secretKey, "in_", "cus_"];
        Assert.All(after.Samples, s => Assert.All(s.Labels.Values, v => Assert.DoesNotContain(identities, id => v.Contains(id, StringComparison.Ordinal))));
    }

    [Fact]
    public async Task Invoice_transitions_and_the_due_held_and_waiting_gauges_appear_at_metrics_after_a_billing_run()
    {
        var before = await ScrapeAsync();
        await SetClockAsync("2026-10-05T00:00:00Z");
        var sending = await Seed.AccountAsync(_operator);
        await (await _operator.PutJsonAsync($"{Seed.AccountUrl(sending)}/stripe-connection", JsonSerializer.Serialize(new { secretKey = $"sk_test_{Guid.NewGuid():N}" }))).ExpectJsonAsync(HttpStatusCode.OK);
        var holding = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, sending, "sent-tenant");
        await Seed.BillableTenantAsync(_operator, sending, "moved-tenant");
        await Seed.BillableTenantAsync(_operator, holding, "held-tenant");

        // A new address is not validated: its taxes can't be rated, so its invoice waits for taxes.
        await Seed.TenantAsync(_operator, sending, "moved-tenant", Seed.TenantBody(line1: "300 S Grand Ave"));
        await SetClockAsync("2026-11-02T00:00:00Z");
        foreach (var (account, tenant) in new[] { (sending, "sent-tenant"), (sending, "moved-tenant"), (holding, "held-tenant") })
        {
            await (await _operator.PutJsonAsync($"{Seed.TenantUrl(account, tenant)}/statements/2026-10", """{"usageTotal":50,"quantities":{"minutes_outbound":1000}}""")).ExpectJsonAsync(HttpStatusCode.Created);
        }

        await SetClockAsync("2026-11-05T09:00:00Z");
        Scrape after = null!;
        await Eventually.TrueAsync(
            async () =>
            {
                after = await ScrapeAsync();
                return Delta("tenant_billing_invoice_transitions_total", ("from", "handed_over"), ("to", "sent")) >= 1
                    && Delta("tenant_billing_invoice_transitions_total", ("from", "handed_over"), ("to", "held")) >= 1
                    && Delta("tenant_billing_invoice_transitions_total", ("from", "composing"), ("to", "waiting_for_taxes")) >= 1;
            },
            Patience);

        double Delta(string name, params (string, string)[] labels) => after.Value(name, labels) - before.Value(name, labels);
        Assert.True(Delta("tenant_billing_invoice_transitions_total", ("from", "scheduled"), ("to", "composing")) >= 3);
        Assert.True(Delta("tenant_billing_invoice_transitions_total", ("from", "composing"), ("to", "handed_over")) >= 2);
        Assert.Equal(1, Delta("tenant_billing_invoices_held"));
        Assert.Equal(1, Delta("tenant_billing_invoices_waiting_for_taxes"));
        Assert.Equal(2, Delta("tenant_billing_invoices_due"));
        Assert.All(after.Samples.Where(s => s.Name == "tenant_billing_invoice_transitions_total"), s => Assert.Equal(["from", "to"], s.Labels.Keys.Where(k => k is not ("otel_scope_name" or "otel_scope_version" or "job" or "instance")).Order()));
        string[] identities = [sending, holding, "sent-tenant", "moved-tenant", "held-tenant"];
        Assert.All(after.Samples, s => Assert.All(s.Labels.Values, v => Assert.DoesNotContain(identities, id => v.Contains(id, StringComparison.Ordinal))));

        // Connecting the holding account's Stripe releases its invoice: held goes back down, and it is sent.
        await (await _operator.PutJsonAsync($"{Seed.AccountUrl(holding)}/stripe-connection", JsonSerializer.Serialize(new { secretKey = $"sk_test_{Guid.NewGuid():N}" }))).ExpectJsonAsync(HttpStatusCode.OK);
        await Eventually.TrueAsync(
            async () =>
            {
                after = await ScrapeAsync();
                return Delta("tenant_billing_invoices_held") == 0 && Delta("tenant_billing_invoice_transitions_total", ("from", "held"), ("to", "sent")) + Delta("tenant_billing_invoice_transitions_total", ("from", "held"), ("to", "handed_over")) >= 1;
            },
            Patience);
        Assert.Equal(1, Delta("tenant_billing_invoices_due"));
    }

    [Fact]
    public async Task An_http_request_s_trace_continues_into_its_grain_calls_and_the_stripe_requests()
    {
        await SetClockAsync("2026-10-05T00:00:00Z");
        var accountId = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        await (await _operator.PutJsonAsync($"{Seed.AccountUrl(accountId)}/stripe-connection", JsonSerializer.Serialize(new { secretKey }))).ExpectJsonAsync(HttpStatusCode.OK);
        await Seed.BillableTenantAsync(_operator, accountId, "traced-tenant");
        await SetClockAsync("2026-11-02T00:00:00Z");
        await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "traced-tenant")}/statements/2026-10", """{"usageTotal":50,"quantities":{"minutes_outbound":1000}}""");
        api.Stripe.RevokeApiKey(secretKey);
        await SetClockAsync("2026-11-21T09:00:00Z");
        await Eventually.TrueAsync(async () => await InvoiceStatusAsync(accountId, "traced-tenant") == "failed", Patience);
        api.Stripe.RestoreApiKey(secretKey);

        // The retry request hands the invoice back to its grain, whose timer then talks to Stripe.
        var retryPath = $"{Seed.TenantUrl(accountId, "traced-tenant")}/invoices/2026-10/retry";
        await (await _operator.SendAsync(HttpMethod.Post, retryPath)).ExpectJsonAsync(HttpStatusCode.OK);
        await Eventually.TrueAsync(async () => await InvoiceStatusAsync(accountId, "traced-tenant") == "sent", Patience);

        var request = Assert.Single(api.Spans.Snapshot(), s => s.Source.Name == "Microsoft.AspNetCore" && s.GetTagItem("url.path") as string == retryPath);
        IReadOnlyList<Activity> trace = [];
        await Eventually.TrueAsync(
            () =>
            {
                trace = api.Spans.Snapshot().Where(s => s.TraceId == request.TraceId).ToList();
                return trace.Any(IsStripeRequest("/send")) && IsOneTree(trace, request);
            },
            Patience);

        Assert.Contains(trace, s => s.Source.Name == "Microsoft.Orleans.Application" && s.DisplayName == "IStripeInvoiceGrain/RetryAsync");
        Assert.Contains(trace, s => s.Source.Name == "TenantBilling" && s.DisplayName == "grain timer");
        Assert.Contains(trace, s => IsStripeRequest("/finalize")(s));
        Assert.Contains(trace, s => IsStripeRequest("/send")(s));

    }

    /// <summary>Every span's parent is in the trace too, up to the HTTP request: one tree, not pieces (spans still open are waited for).</summary>
    private static bool IsOneTree(IReadOnlyList<Activity> trace, Activity root)
    {
        var ids = trace.Select(s => s.SpanId).ToHashSet();
        return trace.Where(s => s != root).All(s => ids.Contains(s.ParentSpanId));
    }

    [Fact]
    public async Task Metrics_refuse_anonymous_callers_and_account_keys()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var (_, accountKey) = await Seed.KeyAsync(_operator, accountId);

        var anonymous = await api.Client(null).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.DoesNotContain("tenant_billing", await anonymous.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(accountKey).GetAsync("/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _operator.GetAsync("/metrics")).StatusCode);
    }

    private static Func<Activity, bool> IsStripeRequest(string pathEnd) =>
        s => s.Source.Name == "System.Net.Http" && s.Kind == ActivityKind.Client
            && (s.GetTagItem("url.full") as string)?.Split('?')[0].EndsWith(pathEnd, StringComparison.Ordinal) == true;

    private async Task<Scrape> ScrapeAsync()
    {
        var response = await _operator.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Scrape.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task SetClockAsync(string now) =>
        await (await _operator.PostJsonAsync("/v1/test-clock", JsonSerializer.Serialize(new { now }))).ExpectJsonAsync(HttpStatusCode.OK);

    private async Task<string?> InvoiceStatusAsync(string accountId, string tenantId)
    {
        var list = await (await _operator.GetAsync($"{Seed.TenantUrl(accountId, tenantId)}/invoices")).ExpectJsonAsync(HttpStatusCode.OK);
        return list.GetArrayLength() == 1 ? list[0].GetProperty("status").GetString() : null;
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}
