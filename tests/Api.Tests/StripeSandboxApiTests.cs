using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>
/// The product's Stripe sandbox as the API shows it: with it, every answer about Stripe says sandbox, ids,
/// numbers and page URLs say sandbox, each invoice's page is served locally, and the issue-8 rules for
/// connecting still hold (Connect ids by the operator only, one account each).
/// </summary>
public sealed class StripeSandboxApiTests(SandboxApiFactory api) : IClassFixture<SandboxApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    [Fact]
    public async Task Every_answer_about_the_account_s_stripe_says_sandbox()
    {
        var accountId = Seed.NewId("sbx");
        var created = await (await _operator.PostJsonAsync("/v1/accounts", JsonSerializer.Serialize(new { accountId, name = "Sandbox Telecom" }))).ExpectJsonAsync(HttpStatusCode.Created);
        Assert.True(created.GetProperty("stripe").GetProperty("sandbox").GetBoolean());

        var (_, key) = await Seed.KeyAsync(_operator, accountId);
        var connected = await (await api.Client(key).PutJsonAsync($"{Seed.AccountUrl(accountId)}/stripe-connection", """{"secretKey":"sk_test_anysandboxkey1"}"""))
            .ExpectJsonAsync(HttpStatusCode.OK);
        var stripe = connected.GetProperty("stripe");
        Assert.Equal(("secret_key", false, true), (stripe.GetProperty("mode").GetString(), stripe.GetProperty("liveMode").GetBoolean(), stripe.GetProperty("sandbox").GetBoolean()));

        var read = await (await _operator.GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.True(read.GetProperty("stripe").GetProperty("sandbox").GetBoolean());
        var listed = await (await _operator.GetAsync("/v1/accounts?limit=200")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.All(listed.GetProperty("items").EnumerateArray(), a => Assert.True(a.GetProperty("stripe").GetProperty("sandbox").GetBoolean()));
        var disconnected = await (await _operator.SendAsync(HttpMethod.Delete, $"{Seed.AccountUrl(accountId)}/stripe-connection")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.True(disconnected.GetProperty("stripe").GetProperty("sandbox").GetBoolean());
    }

    [Fact]
    public async Task A_live_key_is_refused_in_the_sandbox_as_in_any_test_deployment()
    {
        var accountId = await Seed.AccountAsync(_operator);

        var refused = await (await _operator.PutJsonAsync($"{Seed.AccountUrl(accountId)}/stripe-connection", """{"secretKey":"sk_live_realkeynever1"}"""))
            .ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("test mode", refused.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task In_the_sandbox_connect_ids_are_still_the_operator_s_to_give_and_one_account_s_each()
    {
        var first = await Seed.AccountAsync(_operator);
        var second = await Seed.AccountAsync(_operator);
        var (_, key) = await Seed.KeyAsync(_operator, second);
        var connectId = $"acct_sandbox{Guid.NewGuid():N}";

        var connected = await (await _operator.PutJsonAsync($"{Seed.AccountUrl(first)}/stripe-connection", JsonSerializer.Serialize(new { stripeAccountId = connectId })))
            .ExpectJsonAsync(HttpStatusCode.OK);
        var byAccountKey = await api.Client(key).PutJsonAsync($"{Seed.AccountUrl(second)}/stripe-connection", JsonSerializer.Serialize(new { stripeAccountId = $"acct_sandbox{Guid.NewGuid():N}" }));
        var taken = await _operator.PutJsonAsync($"{Seed.AccountUrl(second)}/stripe-connection", JsonSerializer.Serialize(new { stripeAccountId = connectId }));

        Assert.Equal(("connect", connectId, true), (connected.GetProperty("stripe").GetProperty("mode").GetString(), connected.GetProperty("stripe").GetProperty("stripeAccountId").GetString(), connected.GetProperty("stripe").GetProperty("sandbox").GetBoolean()));
        await byAccountKey.ExpectProblemAsync(HttpStatusCode.Forbidden);
        await taken.ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_invoice_goes_through_the_sandbox_says_so_and_its_page_is_served_locally()
    {
        var (accountId, invoice) = await SandboxInvoice.SendAsync(api, _operator);

        Assert.True(invoice.GetProperty("sandbox").GetBoolean());
        Assert.Equal(SandboxInvoice.Total, invoice.GetProperty("total").GetDecimal());
        Assert.Equal(14255, invoice.GetProperty("amountDueCents").GetInt64());
        Assert.Matches("^in_sandbox_[0-9A-Za-z]{24}$", invoice.GetProperty("stripeInvoiceId").GetString());
        var number = invoice.GetProperty("number").GetString()!;
        Assert.Matches("^SANDBOX-[0-9A-Z]{4}-0001$", number);
        var tenant = await (await _operator.GetAsync(Seed.TenantUrl(accountId, SandboxInvoice.TenantId))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Matches("^cus_sandbox_", tenant.GetProperty("stripeCustomerId").GetString());

        // The page: on the sandbox's own loopback port, never Stripe's host.
        var url = new Uri(invoice.GetProperty("hostedInvoiceUrl").GetString()!);
        Assert.True(url.IsLoopback, url.ToString());
        Assert.Equal(api.Sandbox.BaseUrl.Port, url.Port);
        Assert.StartsWith("/sandbox/invoices/", url.AbsolutePath, StringComparison.Ordinal);
        using var browser = new HttpClient();
        var page = await browser.GetAsync(url);
        var html = await page.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains($"<title>Sandbox · Invoice {number}</title>", html, StringComparison.Ordinal);
        Assert.Contains("Hosted PBX seat — October 2026 (5 × $19.99)", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"total\"><td>Total</td><td class=\"amount\">$142.55</td></tr>", html, StringComparison.Ordinal);

        // The sandbox holds the invoice the API describes.
        var inSandbox = Assert.Single(api.Sandbox.Invoices(url.Segments[3].TrimEnd('/')));
        Assert.Equal((invoice.GetProperty("stripeInvoiceId").GetString(), "open", 14255L), (inSandbox.Id, inSandbox.Status, inSandbox.Total));
    }
}

/// <summary>Without the sandbox, the same answers say <c>sandbox: false</c>: here Stripe is configured (the tests' fake), which wins over an enabled sandbox.</summary>
public sealed class ConfiguredStripeWinsOverTheSandboxTests(ConfiguredStripeWinsOverTheSandboxTests.Factory api) : IClassFixture<ConfiguredStripeWinsOverTheSandboxTests.Factory>
{
    public sealed class Factory : StripeApiFactory
    {
        protected override void ConfigureWebHost(Microsoft.AspNetCore.Hosting.IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("StripeSandbox:Enabled", "true");
        }
    }

    [Fact]
    public async Task With_stripe_configured_the_sandbox_does_not_run_and_answers_say_sandbox_false()
    {
        var client = api.Operator();
        var (accountId, _, connected) = await SandboxInvoice.ConnectedAccountAsync(api, client);
        var (_, invoice) = await SandboxInvoice.SendAsync(api, client);

        Assert.False(connected.GetProperty("stripe").GetProperty("sandbox").GetBoolean());
        Assert.False(invoice.GetProperty("sandbox").GetBoolean());
        Assert.StartsWith(api.Stripe.ApiBase, invoice.GetProperty("hostedInvoiceUrl").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("sandbox", invoice.GetProperty("stripeInvoiceId").GetString(), StringComparison.Ordinal);
        Assert.False(api.Services.GetRequiredService<Sandbox.StripeSandboxLabel>().IsSandbox);
        Assert.Throws<InvalidOperationException>(() => api.Services.GetRequiredService<Sandbox.StripeSandboxHost>().Server);
        // The connection check went to the configured Stripe (the tests' fake), not to a sandbox.
        Assert.Contains(api.Stripe.RequestLog, r => r.Route == "GET /v1/account");
        Assert.False((await (await client.GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK)).GetProperty("stripe").GetProperty("sandbox").GetBoolean());
    }
}
