using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Api.Tests.Support;
using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>The API with a tax provider whose voids can be made to fail.</summary>
public sealed class FailingTaxVoidsApiFactory : StripeApiFactory
{
    public RecordingTaxProvider Taxes { get; private set; } = null!;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton<ITaxProvider>(sp =>
            Taxes = new RecordingTaxProvider(ActivatorUtilities.CreateInstance<RateTableTaxProvider>(sp))));
    }
}

/// <summary>A void that can't be recorded now (the tax provider failed): 503 with Retry-After, on the webhook and on the void route, and recorded once on the repeat.</summary>
public sealed class VoidRecordingFaultTests(FailingTaxVoidsApiFactory api) : IClassFixture<FailingTaxVoidsApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    private async Task<(string TenantUrl, string AccountId, string StripeAccount, string Secret, string StripeInvoiceId)> SentAsync(string requestId)
    {
        var account = await Seed.AccountAsync(_operator);
        var secret = $"sk_test_{Guid.NewGuid():N}";
        await (await _operator.PutJsonAsync($"{Seed.AccountUrl(account)}/stripe-connection", JsonSerializer.Serialize(new { secretKey = secret, webhookSecret = "whsec_void_faults" })))
            .ExpectJsonAsync(HttpStatusCode.OK);
        await Seed.BillableTenantAsync(_operator, account, "bakery");
        var tenantUrl = Seed.TenantUrl(account, "bakery");
        var items = new object[] { new { productCode = "local_numbers", quantity = 3 } };
        await (await _operator.PostJsonAsync($"{tenantUrl}/one-time-invoices", JsonSerializer.Serialize(new { requestId, items }))).ExpectJsonAsync(HttpStatusCode.Created);
        JsonElement sent = default;
        await Eventually.TrueAsync(
            async () =>
            {
                sent = (await (await _operator.GetAsync($"{tenantUrl}/invoices")).ExpectJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single();
                return sent.GetProperty("status").GetString() == "sent";
            },
            TimeSpan.FromSeconds(60));
        return (tenantUrl, account, api.Stripe.PlatformAccountId(secret), secret, sent.GetProperty("stripeInvoiceId").GetString()!);
    }

    private async Task<string> StatusAsync(string tenantUrl) =>
        (await (await _operator.GetAsync($"{tenantUrl}/invoices")).ExpectJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single().GetProperty("status").GetString()!;

    [Fact]
    public async Task A_void_webhook_whose_tax_void_fails_is_a_503_with_Retry_After_and_its_redelivery_records_it()
    {
        var (tenantUrl, accountId, stripeAccount, secret, stripeInvoiceId) = await SentAsync("dashboard-void");
        var client = new global::Stripe.StripeClient(new global::Stripe.StripeClientOptions { ApiKey = secret, ApiBase = api.Stripe.ApiBase });
        try
        {
            await client.V1.Invoices.VoidInvoiceAsync(stripeInvoiceId);
        }
        catch (global::Stripe.StripeException lost) when ((int?)lost.HttpStatusCode >= 500)
        {
            // The fake's first write of a route fails after doing the work, as Stripe can.
        }

        var voided = api.Stripe.BuildWebhook(stripeAccount, stripeInvoiceId, "invoice.voided", "whsec_void_faults");
        async Task<HttpResponseMessage> DeliverAsync()
        {
            using var webhook = new HttpRequestMessage(HttpMethod.Post, $"/v1/stripe/webhooks/{accountId}") { Content = new StringContent(voided.Payload, System.Text.Encoding.UTF8, "application/json") };
            webhook.Headers.TryAddWithoutValidation("Stripe-Signature", voided.SignatureHeader);
            return await api.Client(null).SendAsync(webhook);
        }

        api.Taxes.FailVoids = true;
        HttpResponseMessage failed;
        try
        {
            failed = await DeliverAsync();
        }
        finally
        {
            api.Taxes.FailVoids = false;
        }

        var problem = await failed.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(failed.Headers.RetryAfter);
        Assert.DoesNotContain("Injected", problem.GetRawText(), StringComparison.Ordinal);
        Assert.Equal("sent", await StatusAsync(tenantUrl));

        Assert.Equal(HttpStatusCode.OK, (await DeliverAsync()).StatusCode);
        Assert.Equal("void", await StatusAsync(tenantUrl));
        Assert.Equal(2, api.Taxes.VoidCalls($"{accountId}/bakery/once-dashboard-void"));
    }

    [Fact]
    public async Task A_void_route_whose_tax_void_fails_is_a_503_and_its_repeat_records_the_void_once()
    {
        var (tenantUrl, accountId, stripeAccount, _, stripeInvoiceId) = await SentAsync("route-void");
        api.Taxes.FailVoids = true;
        HttpResponseMessage failed;
        try
        {
            // The fake's first void fails after the work once: repeat that 503 until the void is done in Stripe and the tax void fails.
            for (var attempt = 1; ; attempt++)
            {
                failed = await _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/invoices/once-route-void/void");
                if (api.Stripe.FindInvoice(stripeAccount, stripeInvoiceId)!.Status == "void" && api.Taxes.VoidCalls($"{accountId}/bakery/once-route-void") > 0 || attempt == 5)
                {
                    break;
                }
            }
        }
        finally
        {
            api.Taxes.FailVoids = false;
        }

        await failed.ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.NotNull(failed.Headers.RetryAfter);
        Assert.Equal("sent", await StatusAsync(tenantUrl));

        var repeated = await (await _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/invoices/once-route-void/void")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal("void", repeated.GetProperty("status").GetString());
        Assert.Single(api.Stripe.Events(stripeAccount), e => e.Type == "invoice.voided");
    }
}
