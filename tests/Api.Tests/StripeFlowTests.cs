using System.Net;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;
using TenantBilling.StripeSandbox;

namespace TenantBilling.Api.Tests;

/// <summary>
/// A month end rehearsed over HTTP with the test clock: an invoice goes out through Stripe (the fake),
/// Stripe's signed webhooks come back, and the account's fees and tax report reflect it.
/// </summary>
public sealed class StripeFlowTests(StripeApiFactory api) : IClassFixture<StripeApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    [Fact]
    public async Task A_month_end_sends_the_invoice_and_webhooks_fees_and_the_tax_report_follow()
    {
        await SetClockAsync("2026-10-05T00:00:00Z");
        var accountId = await Seed.AccountAsync(_operator);
        var (_, key) = await Seed.KeyAsync(_operator, accountId);
        var account = api.Client(key);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        var webhookSecret = $"whsec_{Guid.NewGuid():N}";
        var connected = await (await account.PutJsonAsync($"{Seed.AccountUrl(accountId)}/stripe-connection", JsonSerializer.Serialize(new { secretKey, webhookSecret })))
            .ExpectJsonAsync(HttpStatusCode.OK);
        var stripe = connected.GetProperty("stripe");
        Assert.Equal(("secret_key", secretKey[^4..], true), (stripe.GetProperty("mode").GetString(), stripe.GetProperty("secretKeyLast4").GetString(), stripe.GetProperty("accountWebhookSecretSet").GetBoolean()));
        Assert.DoesNotContain(secretKey, connected.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(webhookSecret, connected.GetRawText(), StringComparison.Ordinal);
        await Seed.BillableTenantAsync(account, accountId, "t1");

        // October's statement: $3.10 of carrier usage makes t1 a phantom tenant. Billing day 5 has passed by November 21.
        await SetClockAsync("2026-11-02T00:00:00Z");
        var statement = await _operator.PutJsonAsync(
            $"{Seed.TenantUrl(accountId, "t1")}/statements/2026-10", """{"usageTotal":3.10,"quantities":{"minutes_outbound":1000,"local_numbers":3}}""");
        Assert.Equal("2026-11-05T00:00:00+00:00", (await statement.ExpectJsonAsync(HttpStatusCode.Created)).GetProperty("scheduledFor").GetString());
        var preview = await (await account.GetAsync($"{Seed.TenantUrl(accountId, "t1")}/invoices/2026-10/preview")).ExpectJsonAsync(HttpStatusCode.OK);

        var moved = await (await _operator.PostJsonAsync("/v1/test-clock", """{"now":"2026-11-21T09:00:00Z"}""")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.True(moved.GetProperty("tenantsWoken").GetInt32() >= 1);
        var invoice = await SentInvoiceAsync(account, accountId);

        var stripeAccount = api.Stripe.PlatformAccountId(secretKey);
        var inStripe = Assert.Single(api.Stripe.Invoices(stripeAccount));
        Assert.Equal(inStripe.Id, invoice.GetProperty("stripeInvoiceId").GetString());
        Assert.Equal((long)(preview.GetProperty("total").GetDecimal() * 100), inStripe.Total);
        // Taxes are tax amounts on the lines, not lines: Stripe's total = Σ lines + Σ tax amounts = the preview's.
        Assert.Equal(preview.GetProperty("lines").GetArrayLength(), inStripe.Lines.Count);
        Assert.Equal((long)(preview.GetProperty("taxTotal").GetDecimal() * 100), inStripe.TotalTaxes);
        Assert.Equal(inStripe.Total, inStripe.Lines.Sum(l => l.Amount + l.Taxes.Sum(t => t.Amount)));

        // The phantom fee, listed with its invoice.
        var fees = await (await account.GetAsync($"{Seed.AccountUrl(accountId)}/fees?month=2026-11")).ExpectJsonAsync(HttpStatusCode.OK);
        var fee = Assert.Single(fees.GetProperty("fees").EnumerateArray());
        Assert.Equal((5.00m, inStripe.Id), (fee.GetProperty("amount").GetDecimal(), fee.GetProperty("stripeInvoiceId").GetString()));
        Assert.Equal(5.00m, fees.GetProperty("total").GetDecimal());

        // The tax report lists the invoice's taxes, and its totals add up to the invoice's tax lines.
        var report = await account.GetAsync($"{Seed.AccountUrl(accountId)}/tax-report?month=2026-11");
        Assert.Equal("text/csv", report.Content.Headers.ContentType!.MediaType);
        var rows = (await report.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(r => r.Split(',')).ToList();
        var taxTotal = preview.GetProperty("taxTotal").GetDecimal();
        Assert.True(taxTotal > 0);
        Assert.Equal(taxTotal, rows.Where(r => r[0] == "tax").Sum(r => decimal.Parse(r[13], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(taxTotal, rows.Where(r => r[0] == "total").Sum(r => decimal.Parse(r[13], System.Globalization.CultureInfo.InvariantCulture)));
        Assert.All(rows.Where(r => r[0] == "tax"), r => Assert.Equal(inStripe.Number, r[1]));

        // The account's own Stripe signs its events with the secret of the endpoint it made for us.
        // A forged or stale webhook changes nothing; nor does one sent to the platform's endpoint.
        var endpoint = $"/v1/stripe/webhooks/{accountId}";
        var paid = api.Stripe.BuildWebhook(stripeAccount, inStripe.Id, "invoice.paid", webhookSecret);
        var forged = api.Stripe.BuildWebhook(stripeAccount, inStripe.Id, "invoice.paid", StripeApiFactory.WebhookSecret);
        var stale = api.Stripe.BuildWebhook(stripeAccount, inStripe.Id, "invoice.paid", webhookSecret, DateTimeOffset.UtcNow.AddMinutes(-10));
        await (await PostWebhookAsync(endpoint, forged)).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await (await PostWebhookAsync(endpoint, stale)).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await (await PostWebhookAsync(endpoint, paid with { SignatureHeader = "" })).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync("/v1/stripe/webhooks", forged)).StatusCode);
        Assert.Equal("sent", (await InvoiceAsync(account, accountId)).GetProperty("status").GetString());

        // A signed event is recorded; the same event again is harmless; unknown types are accepted and ignored.
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync(endpoint, paid)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync(endpoint, paid)).StatusCode);
        Assert.Equal("paid", (await InvoiceAsync(account, accountId)).GetProperty("status").GetString());
        var unknown = api.Stripe.BuildWebhook(stripeAccount, inStripe.Id, "invoice.upcoming", webhookSecret);
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync(endpoint, unknown)).StatusCode);
        Assert.Equal("paid", (await InvoiceAsync(account, accountId)).GetProperty("status").GetString());

        // Voided: the invoice's taxes leave the report; the fee stays.
        var voided = api.Stripe.BuildWebhook(stripeAccount, inStripe.Id, "invoice.voided", webhookSecret);
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync(endpoint, voided)).StatusCode);
        Assert.Equal("void", (await InvoiceAsync(account, accountId)).GetProperty("status").GetString());
        var afterVoid = await (await account.GetAsync($"{Seed.AccountUrl(accountId)}/tax-report?month=2026-11")).Content.ReadAsStringAsync();
        Assert.DoesNotContain(afterVoid.Split("\r\n"), r => r.StartsWith("tax,", StringComparison.Ordinal) || r.StartsWith("total,", StringComparison.Ordinal));
        Assert.Single((await (await account.GetAsync($"{Seed.AccountUrl(accountId)}/fees?month=2026-11")).ExpectJsonAsync(HttpStatusCode.OK)).GetProperty("fees").EnumerateArray());

        // Nothing secret or personal reached the logs: not the Stripe key, the account key, nor the tenant's data.
        Assert.NotEmpty(api.Logs.Lines);
        string[] secrets = [secretKey, key, key[^64..], "billing@acme.example", "Acme Dental", "Jane Roe", "555-0100", "5550100", "200 N Spring St"];
        Assert.All(secrets, secret => Assert.DoesNotContain(api.Logs.Lines, line => line.Contains(secret, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task A_failed_invoice_can_be_retried_over_http_and_only_a_failed_one()
    {
        await SetClockAsync("2026-10-05T00:00:00Z");
        var accountId = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        await Seed.ConnectStripeAsync(_operator, accountId, secretKey);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        await SetClockAsync("2026-11-02T00:00:00Z");
        await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/statements/2026-10", """{"usageTotal":50,"quantities":{"minutes_outbound":1000}}""");
        api.Stripe.RevokeApiKey(secretKey);

        await SetClockAsync("2026-11-21T09:00:00Z");
        await Eventually(async () => (await InvoiceAsync(_operator, accountId)).GetProperty("status").GetString() == "failed");
        var failed = await InvoiceAsync(_operator, accountId);
        Assert.False(string.IsNullOrWhiteSpace(failed.GetProperty("failureReason").GetString()));

        api.Stripe.RestoreApiKey(secretKey);
        var retry = await (await _operator.SendAsync(HttpMethod.Post, $"{Seed.TenantUrl(accountId, "t1")}/invoices/2026-10/retry")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal("handed_over", retry.GetProperty("status").GetString());
        await SentInvoiceAsync(_operator, accountId);
        await (await _operator.SendAsync(HttpMethod.Post, $"{Seed.TenantUrl(accountId, "t1")}/invoices/2026-10/retry")).ExpectProblemAsync(HttpStatusCode.Conflict);
        await (await _operator.SendAsync(HttpMethod.Post, $"{Seed.TenantUrl(accountId, "t1")}/invoices/2026-09/retry")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_disconnected_account_holds_its_invoice_and_reconnecting_sends_it()
    {
        await SetClockAsync("2026-10-05T00:00:00Z");
        var accountId = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        await Seed.ConnectStripeAsync(_operator, accountId, secretKey);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        var disconnected = await (await _operator.SendAsync(HttpMethod.Delete, $"{Seed.AccountUrl(accountId)}/stripe-connection")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal("not_connected", disconnected.GetProperty("stripe").GetProperty("mode").GetString());

        await SetClockAsync("2026-11-02T00:00:00Z");
        await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/statements/2026-10", """{"usageTotal":50,"quantities":{"minutes_outbound":1000}}""");
        await SetClockAsync("2026-11-21T09:00:00Z");
        await Eventually(async () => (await InvoiceAsync(_operator, accountId)).GetProperty("status").GetString() == "held");
        Assert.Empty(api.Stripe.Invoices(api.Stripe.PlatformAccountId(secretKey)));

        await Seed.ConnectStripeAsync(_operator, accountId, secretKey);
        await SentInvoiceAsync(_operator, accountId);
        Assert.Single(api.Stripe.Invoices(api.Stripe.PlatformAccountId(secretKey)));
    }

    [Fact]
    public async Task Connect_events_arrive_at_the_platform_endpoint_and_only_for_their_own_account()
    {
        await SetClockAsync("2026-10-05T00:00:00Z");
        var accountId = await Seed.AccountAsync(_operator);
        var connectAccount = $"acct_{Guid.NewGuid():N}"[..21];
        await (await _operator.PutJsonAsync($"{Seed.AccountUrl(accountId)}/stripe-connection", JsonSerializer.Serialize(new { stripeAccountId = connectAccount })))
            .ExpectJsonAsync(HttpStatusCode.OK);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        await SetClockAsync("2026-11-02T00:00:00Z");
        await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/statements/2026-10", """{"usageTotal":50,"quantities":{"minutes_outbound":1000}}""");
        await SetClockAsync("2026-11-21T09:00:00Z");
        await SentInvoiceAsync(_operator, accountId);
        var inStripe = Assert.Single(api.Stripe.Invoices(connectAccount));

        var paid = api.Stripe.BuildWebhook(connectAccount, inStripe.Id, "invoice.paid", StripeApiFactory.WebhookSecret);
        var claimingAnotherAccount = paid with { Payload = paid.Payload.Replace(connectAccount, "acct_someoneelse00000", StringComparison.Ordinal) };
        await (await PostWebhookAsync("/v1/stripe/webhooks", claimingAnotherAccount)).ExpectProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync("/v1/stripe/webhooks", paid)).StatusCode);

        Assert.Equal("paid", (await InvoiceAsync(_operator, accountId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_validly_signed_body_that_is_no_stripe_event_is_a_400_on_both_endpoints()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var webhookSecret = $"whsec_{Guid.NewGuid():N}";
        await (await _operator.PutJsonAsync($"{Seed.AccountUrl(accountId)}/stripe-connection", JsonSerializer.Serialize(new { secretKey = $"sk_test_{Guid.NewGuid():N}", webhookSecret })))
            .ExpectJsonAsync(HttpStatusCode.OK);

        foreach (var body in new[] { "{not json", "[1,2,3]", """{"object":"customer","id":"cus_1"}""", """{"object":"event","id":"evt_1","data":"nope"}""", "" })
        {
            await (await PostWebhookAsync($"/v1/stripe/webhooks/{accountId}", api.Stripe.SignPayload(body, webhookSecret))).ExpectProblemAsync(HttpStatusCode.BadRequest);
            await (await PostWebhookAsync("/v1/stripe/webhooks", api.Stripe.SignPayload(body, StripeApiFactory.WebhookSecret))).ExpectProblemAsync(HttpStatusCode.BadRequest);
        }
    }

    [Fact]
    public async Task Thin_events_are_applied_from_the_invoice_read_back_from_the_stripe_they_came_from()
    {
        // An own-key account and a Connect account, each with a sent invoice.
        await SetClockAsync("2026-10-05T00:00:00Z");
        var keyAccount = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        var webhookSecret = $"whsec_{Guid.NewGuid():N}";
        await Seed.ConnectStripeAsync(_operator, keyAccount, secretKey, webhookSecret);
        var connectAccount = await Seed.AccountAsync(_operator);
        var stripeAccountId = $"acct_{Guid.NewGuid():N}"[..21];
        await (await _operator.PutJsonAsync($"{Seed.AccountUrl(connectAccount)}/stripe-connection", JsonSerializer.Serialize(new { stripeAccountId }))).ExpectJsonAsync(HttpStatusCode.OK);
        foreach (var accountId in new[] { keyAccount, connectAccount })
        {
            await Seed.BillableTenantAsync(_operator, accountId, "t1");
        }

        await SetClockAsync("2026-11-02T00:00:00Z");
        foreach (var accountId in new[] { keyAccount, connectAccount })
        {
            await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/statements/2026-10", """{"usageTotal":50,"quantities":{"minutes_outbound":1000}}""");
        }

        await SetClockAsync("2026-11-21T09:00:00Z");
        await SentInvoiceAsync(_operator, keyAccount);
        await SentInvoiceAsync(_operator, connectAccount);
        var ownStripe = api.Stripe.PlatformAccountId(secretKey);
        var keyInvoice = Assert.Single(api.Stripe.Invoices(ownStripe));
        var connectInvoice = Assert.Single(api.Stripe.Invoices(stripeAccountId));

        // The tenant pays in Stripe; the thin event says only "v1.invoice.paid" and which invoice.
        var payer = new global::Stripe.StripeClient(new global::Stripe.StripeClientOptions { ApiKey = secretKey, ApiBase = api.Stripe.ApiBase });
        try
        {
            await payer.V1.Invoices.PayAsync(keyInvoice.Id, new global::Stripe.InvoicePayOptions { PaidOutOfBand = true });
        }
        catch (global::Stripe.StripeException)
        {
            // The fake's first-request fault on the route: a 500 after the invoice was marked paid.
        }

        Assert.Equal("paid", api.Stripe.FindInvoice(ownStripe, keyInvoice.Id)!.Status);
        var paid = api.Stripe.BuildThinWebhook(ownStripe, keyInvoice.Id, "v1.invoice.paid", webhookSecret);
        Assert.DoesNotContain("amount", paid.Payload, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync($"/v1/stripe/webhooks/{keyAccount}", paid)).StatusCode);
        var keyRecorded = await InvoiceAsync(_operator, keyAccount);
        Assert.Equal("paid", keyRecorded.GetProperty("status").GetString());

        // Connect: the event names its account (context); it reaches only the account that account is bound to.
        var voided = api.Stripe.BuildThinWebhook(stripeAccountId, connectInvoice.Id, "v1.invoice.voided", StripeApiFactory.WebhookSecret);
        Assert.Contains(stripeAccountId, voided.Payload, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync($"/v1/stripe/webhooks/{keyAccount}", api.Stripe.BuildThinWebhook(stripeAccountId, connectInvoice.Id, "v1.invoice.voided", webhookSecret))).StatusCode);
        Assert.Equal("sent", (await InvoiceAsync(_operator, connectAccount)).GetProperty("status").GetString());   // an account's own endpoint takes no Connect event
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync("/v1/stripe/webhooks", voided)).StatusCode);
        Assert.Equal("void", (await InvoiceAsync(_operator, connectAccount)).GetProperty("status").GetString());

        // A thin event for an unknown type is accepted and ignored.
        Assert.Equal(HttpStatusCode.OK, (await PostWebhookAsync("/v1/stripe/webhooks", api.Stripe.BuildThinWebhook(stripeAccountId, connectInvoice.Id, "v1.invoice.upcoming", StripeApiFactory.WebhookSecret))).StatusCode);
    }

    [Theory]
    [InlineData(400, true)]    // an answer that is no Stripe error object (a proxy's page)
    [InlineData(400, false)]   // a Stripe error whose message carries the whole request
    public async Task A_failed_request_keeps_only_stripes_error_never_its_raw_answer_in_the_failure_or_the_logs(int status, bool raw)
    {
        await SetClockAsync("2026-10-05T00:00:00Z");
        var accountId = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        await Seed.ConnectStripeAsync(_operator, accountId, secretKey);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        var marker = $"LINE-DESCRIPTION-{Guid.NewGuid():N}";
        var answer = string.Concat(Enumerable.Repeat($"Outbound minutes {marker} ", 1_000));   // tens of KB, as a line-laden answer is
        var fault = api.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork)
        {
            Path = "/v1/invoices/*/add_lines", AccountId = api.Stripe.PlatformAccountId(secretKey), Count = null, StatusCode = status,
            RawBody = raw ? $"<html><body>{answer}</body></html>" : null,
            ErrorMessage = raw ? null : $"Invalid lines: {answer}",
            ErrorCode = raw ? null : "parameter_invalid_string",
        });
        await SetClockAsync("2026-11-02T00:00:00Z");
        await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/statements/2026-10", """{"usageTotal":50,"quantities":{"minutes_outbound":1000}}""");
        await SetClockAsync("2026-11-21T09:00:00Z");
        await Eventually(async () => (await InvoiceAsync(_operator, accountId)).GetProperty("status").GetString() == "failed");
        fault.Remove();

        var reason = (await InvoiceAsync(_operator, accountId)).GetProperty("failureReason").GetString()!;
        Assert.True(reason.Length < 400, reason);
        Assert.Contains("request req_", reason, StringComparison.Ordinal);
        Assert.Equal(raw, reason.Contains("without a readable error", StringComparison.Ordinal));
        Assert.Equal(!raw, reason.Contains("invalid_request_error/parameter_invalid_string", StringComparison.Ordinal));
        Assert.Equal(!raw, reason.Contains(marker, StringComparison.Ordinal));   // Stripe's own message, cut short; never the raw answer
        Assert.DoesNotContain(api.Logs.Lines, line => line.Contains("<html>", StringComparison.Ordinal) || (line.Contains(marker, StringComparison.Ordinal) && line.Length > 1_000));
    }

    private Task<HttpResponseMessage> PostWebhookAsync(string endpoint, SignedWebhook webhook)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new StringContent(webhook.Payload, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", webhook.SignatureHeader);
        return api.Client(null).SendAsync(request);
    }

    private async Task SetClockAsync(string now) =>
        await (await _operator.PostJsonAsync("/v1/test-clock", JsonSerializer.Serialize(new { now }))).ExpectJsonAsync(HttpStatusCode.OK);

    private static async Task<JsonElement> InvoiceAsync(HttpClient client, string accountId)
    {
        var list = await (await client.GetAsync($"{Seed.TenantUrl(accountId, "t1")}/invoices")).ExpectJsonAsync(HttpStatusCode.OK);
        return Assert.Single(list.EnumerateArray());
    }

    private static async Task<JsonElement> SentInvoiceAsync(HttpClient client, string accountId)
    {
        await Eventually(async () => (await InvoiceAsync(client, accountId)).GetProperty("status").GetString() == "sent");
        return await InvoiceAsync(client, accountId);
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "The invoice did not reach the expected status within 30 s.");
            await Task.Delay(100);
        }
    }
}
