using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Api.Tests.Support;
using TenantBilling.Grains.Interfaces;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>The void and credit routes over HTTP, against the Stripe fake: their answers, their 4xx, and exactly once.</summary>
public sealed class CorrectionsApiTests(StripeApiFactory api) : IClassFixture<StripeApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    private async Task<(string TenantUrl, string StripeAccount, string Secret)> TenantAsync()
    {
        var account = await Seed.AccountAsync(_operator);
        var secret = $"sk_test_{Guid.NewGuid():N}";
        await Seed.ConnectStripeAsync(_operator, account, secret, webhookSecret: "whsec_corrections");
        await Seed.BillableTenantAsync(_operator, account, "bakery");
        return (Seed.TenantUrl(account, "bakery"), api.Stripe.PlatformAccountId(secret), secret);
    }

    /// <summary>A one-time invoice of 3 local numbers (4.50, taxed) and a set-up fee (40.00), sent in Stripe.</summary>
    private async Task<JsonElement> SentAsync(string tenantUrl, string requestId)
    {
        var items = new object[] { new { productCode = "local_numbers", quantity = 3 }, new { description = "Set-up", quantity = 1, unitPrice = 40, taxCategory = "non_taxable" } };
        await (await _operator.PostJsonAsync($"{tenantUrl}/one-time-invoices", JsonSerializer.Serialize(new { requestId, items }))).ExpectJsonAsync(HttpStatusCode.Created);
        return await Seed.SentInvoiceAsync(_operator, tenantUrl, i => i.GetProperty("requestId").GetString() == requestId);
    }

    /// <summary>A client repeats a 503 (the fake fails each route's first request once, as Stripe can).</summary>
    private static async Task<HttpResponseMessage> RepeatedAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 8)
            {
                return response;
            }

            Assert.NotNull(response.Headers.RetryAfter);
        }
    }

    [Fact]
    public async Task A_void_that_finds_no_Stripe_slot_near_is_a_503_whose_Retry_After_comes_from_the_slot_and_nothing_is_voided()
    {
        var (tenantUrl, stripeAccount, _) = await TenantAsync();
        var sent = await SentAsync(tenantUrl, "booked-out");
        var accountId = tenantUrl.Split('/')[3];
        var grains = api.Services.GetRequiredService<IGrainFactory>();
        var rate = (await grains.GetGrain<IAccountGrain>(accountId).GetStripeAccessAsync())!.Settings.StripeRequestsPerSecond;
        // Every slot of the account's pace for the next minute is taken (interactive requests at once, kept slots included).
        var everything = await grains.GetGrain<IStripePacerGrain>(accountId).BookInteractiveAsync(rate, Enumerable.Repeat(string.Empty, 60 * rate).ToArray(), TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Assert.True(everything.Booked);

        var response = await _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/invoices/once-booked-out/void");

        await response.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.InRange(response.Headers.RetryAfter!.Delta!.Value, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(60));   // not the usual 5 s: when the slot comes
        Assert.Equal("open", api.Stripe.FindInvoice(stripeAccount, sent.GetProperty("stripeInvoiceId").GetString()!)!.Status);
    }

    [Fact]
    public async Task A_void_answers_the_void_invoice_once_and_again_and_a_void_invoice_takes_no_credit()
    {
        var (tenantUrl, stripeAccount, _) = await TenantAsync();
        var sent = await SentAsync(tenantUrl, "to-void");

        var voided = await (await RepeatedAsync(() => _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/invoices/once-to-void/void"))).ExpectJsonAsync(HttpStatusCode.OK);
        var again = await (await _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/invoices/once-to-void/void")).ExpectJsonAsync(HttpStatusCode.OK);
        var credit = await (await _operator.PostJsonAsync($"{tenantUrl}/invoices/once-to-void/credit", """{"requestId":"c1","destination":"balance","lines":[{"lineRef":"item-1"}]}"""))
            .ExpectProblemAsync(HttpStatusCode.Conflict);

        Assert.Equal(("void", "void"), (voided.GetProperty("status").GetString(), again.GetProperty("status").GetString()));
        Assert.Equal("void", api.Stripe.FindInvoice(stripeAccount, sent.GetProperty("stripeInvoiceId").GetString()!)!.Status);
        Assert.Single(api.Stripe.Events(stripeAccount), e => e.Type == "invoice.voided");
        Assert.Contains("paid", credit.GetProperty("title").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_paid_invoice_is_a_409_naming_the_credit_route_and_its_credit_is_issued_once_per_request_id()
    {
        var (tenantUrl, stripeAccount, secret) = await TenantAsync();
        var sent = await SentAsync(tenantUrl, "to-credit");
        var stripeInvoiceId = sent.GetProperty("stripeInvoiceId").GetString()!;
        await PayOutOfBandAsync(api.Stripe, secret, stripeInvoiceId);
        var paid = api.Stripe.BuildWebhook(stripeAccount, stripeInvoiceId, "invoice.paid", "whsec_corrections");
        using (var webhook = new HttpRequestMessage(HttpMethod.Post, $"/v1/stripe/webhooks/{tenantUrl.Split('/')[3]}") { Content = new StringContent(paid.Payload, System.Text.Encoding.UTF8, "application/json") })
        {
            webhook.Headers.TryAddWithoutValidation("Stripe-Signature", paid.SignatureHeader);
            Assert.Equal(HttpStatusCode.OK, (await api.Client(null).SendAsync(webhook)).StatusCode);
        }

        var voidPaid = await (await _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/invoices/once-to-credit/void")).ExpectProblemAsync(HttpStatusCode.Conflict);
        const string body = """{"requestId":"goodwill","destination":"balance","lines":[{"lineRef":"item-1"},{"lineRef":"item-2","amount":10.00}],"memo":"Outage"}""";
        var credit = await (await RepeatedAsync(() => _operator.PostJsonAsync($"{tenantUrl}/invoices/once-to-credit/credit", body))).ExpectJsonAsync(HttpStatusCode.OK);
        var again = await (await _operator.PostJsonAsync($"{tenantUrl}/invoices/once-to-credit/credit", body)).ExpectJsonAsync(HttpStatusCode.OK);
        var otherBody = await (await _operator.PostJsonAsync($"{tenantUrl}/invoices/once-to-credit/credit", body.Replace("balance", "refund", StringComparison.Ordinal)))
            .ExpectProblemAsync(HttpStatusCode.Conflict);
        var listed = await (await _operator.GetAsync($"{tenantUrl}/invoices/once-to-credit/credits")).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Contains("/credit", voidPaid.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(credit.GetProperty("stripeCreditNoteId").GetString(), again.GetProperty("stripeCreditNoteId").GetString());
        Assert.Equal(14.50m, credit.GetProperty("subtotal").GetDecimal());
        Assert.Equal(credit.GetProperty("subtotal").GetDecimal() + credit.GetProperty("taxTotal").GetDecimal(), credit.GetProperty("total").GetDecimal());
        var note = Assert.Single(api.Stripe.CreditNotes(stripeAccount));
        Assert.Equal("balance", credit.GetProperty("destination").GetString());
        Assert.Equal(-note.Total, api.Stripe.Customers(stripeAccount).Single().Balance);
        Assert.Equal((long)(credit.GetProperty("total").GetDecimal() * 100), note.Total);
        Assert.Contains("another credit", otherBody.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, listed.GetArrayLength());
    }

    [Theory]
    [InlineData("""{"destination":"balance","lines":[{"lineRef":"item-1"}]}""", "requestId")]
    [InlineData("""{"requestId":"r","destination":"card","lines":[{"lineRef":"item-1"}]}""", "destination")]
    [InlineData("""{"requestId":"r","destination":"balance","lines":[]}""", "lines")]
    [InlineData("""{"requestId":"r","destination":"balance","lines":[{"amount":1}]}""", "lines[0].lineRef")]
    [InlineData("""{"requestId":"r","destination":"balance","lines":[{"lineRef":"item-1","amount":1.005}]}""", "lines[0].amount")]
    [InlineData("""{"requestId":"r","destination":"balance","lines":[{"lineRef":"item-1","amount":-2}]}""", "lines[0].amount")]
    [InlineData("""{"requestId":"r","destination":"balance","lines":[{"lineRef":"item-1"}],"memo":"bad\u0007bell"}""", "memo")]
    public async Task A_credit_body_that_breaks_a_rule_is_a_400_naming_the_field(string body, string field)
    {
        var (tenantUrl, _, _) = await TenantAsync();

        var problem = await (await _operator.PostJsonAsync($"{tenantUrl}/invoices/2026-10/credit", body)).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Theory]
    [InlineData("void")]
    [InlineData("credits")]
    public async Task An_invoice_id_that_is_neither_a_month_nor_a_one_time_id_is_a_400_and_an_unknown_invoice_a_404(string route)
    {
        var (tenantUrl, _, _) = await TenantAsync();
        var method = route == "void" ? HttpMethod.Post : HttpMethod.Get;

        await (await _operator.SendAsync(method, $"{tenantUrl}/invoices/2026-13/{route}")).ExpectProblemAsync(HttpStatusCode.BadRequest);
        await (await _operator.SendAsync(method, $"{tenantUrl}/invoices/2026-10/{route}")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    /// <summary>Pays the invoice in the fake outside Stripe (as a tenant paying by bank transfer would), through Stripe.net with the account's key.</summary>
    internal static async Task PayOutOfBandAsync(StripeSandbox.StripeSandboxServer stripe, string secretKey, string invoiceId)
    {
        var client = new global::Stripe.StripeClient(new global::Stripe.StripeClientOptions { ApiKey = secretKey, ApiBase = stripe.ApiBase });
        try
        {
            await client.V1.Invoices.PayAsync(invoiceId, new global::Stripe.InvoicePayOptions { PaidOutOfBand = true });
        }
        catch (global::Stripe.StripeException failed) when ((int?)failed.HttpStatusCode >= 500)
        {
            // The fake's first write of a route fails after doing the work, as Stripe can.
        }
    }
}
