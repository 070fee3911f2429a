using System.Net;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

/// <summary><c>GET /v1/account</c>: the read a product makes to check a key or a Connect id.</summary>
public sealed class AccountTests
{
    [Fact]
    public async Task A_key_retrieves_its_own_account_and_with_stripe_account_the_connected_one()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);

        var own = await StripeClients.For(server).V1.Accounts.GetSelfAsync();
        var connected = await StripeClients.For(server, stripeAccount: "acct_connected1").V1.Accounts.GetSelfAsync();

        Assert.Equal(server.PlatformAccountId(StripeClients.PlatformKey), own.Id);
        Assert.Equal("acct_connected1", connected.Id);
        Assert.True(connected.ChargesEnabled);
        Assert.Equal("usd", connected.DefaultCurrency);
    }

    [Theory]
    [InlineData("sk_live_notintestmode", "api_key_invalid")]
    [InlineData("pk_test_publishable", "api_key_invalid")]
    public async Task A_key_stripe_does_not_know_is_a_401(string key, string code)
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);

        var error = await Assert.ThrowsAsync<StripeException>(() => StripeClients.For(server, key).V1.Accounts.GetSelfAsync());

        Assert.Equal((HttpStatusCode.Unauthorized, code), (error.HttpStatusCode, error.StripeError.Code));
        Assert.DoesNotContain(key[8..], error.StripeError.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_revoked_key_and_a_revoked_connect_account_are_refused()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        server.RevokeApiKey("sk_test_revoked0000");
        server.RevokeAccountAccess("acct_gone");

        var key = await Assert.ThrowsAsync<StripeException>(() => StripeClients.For(server, "sk_test_revoked0000").V1.Accounts.GetSelfAsync());
        var account = await Assert.ThrowsAsync<StripeException>(() => StripeClients.For(server, stripeAccount: "acct_gone").V1.Accounts.GetSelfAsync());

        Assert.Equal((HttpStatusCode.Unauthorized, "api_key_expired"), (key.HttpStatusCode, key.StripeError.Code));
        Assert.Equal((HttpStatusCode.Forbidden, "account_invalid"), (account.HttpStatusCode, account.StripeError.Code));
    }

    [Fact]
    public async Task An_accounts_default_currency_is_what_an_invoice_naming_none_gets()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server, stripeAccount: "acct_canada");
        var customer = await client.NewCustomerAsync();
        server.SetDefaultCurrency("acct_canada", "CAD");

        var inherited = await client.NewDraftAsync(customer.Id);
        var explicitUsd = await client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, Currency = "usd", CollectionMethod = "send_invoice", DaysUntilDue = 30 });

        Assert.Equal(("cad", "usd"), (inherited.Currency, explicitUsd.Currency));
        Assert.Equal("cad", (await client.V1.Accounts.GetSelfAsync()).DefaultCurrency);
    }

    [Fact]
    public async Task A_restricted_key_is_refused_the_routes_it_has_no_permission_for()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        server.RestrictApiKey("rk_test_restricted", "GET /v1/account");
        var client = StripeClients.For(server, "rk_test_restricted");

        var refused = await Assert.ThrowsAsync<StripeException>(() => client.V1.Accounts.GetSelfAsync());
        var invoices = await client.V1.Invoices.ListAsync();

        Assert.Equal(HttpStatusCode.Forbidden, refused.HttpStatusCode);
        Assert.Contains("does not have the required permissions", refused.StripeError.Message, StringComparison.Ordinal);
        Assert.Empty(invoices.Data);
    }
}
