using System.Net;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

public sealed class AccountScopingTests
{
    [Fact]
    public async Task Objects_of_one_connected_account_are_invisible_to_another()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var a = StripeClients.For(server, stripeAccount: "acct_A");
        var b = StripeClients.For(server, stripeAccount: "acct_B");
        var customer = await a.NewCustomerAsync();
        var invoice = await a.NewDraftAsync(customer.Id);

        var customerError = await Assert.ThrowsAsync<StripeException>(() => b.V1.Customers.GetAsync(customer.Id));
        var invoiceError = await Assert.ThrowsAsync<StripeException>(() => b.V1.Invoices.GetAsync(invoice.Id));
        var bList = await b.V1.Invoices.ListAsync();
        var aList = await a.V1.Invoices.ListAsync();

        Assert.Equal(HttpStatusCode.NotFound, customerError.HttpStatusCode);
        Assert.Equal(HttpStatusCode.NotFound, invoiceError.HttpStatusCode);
        Assert.Empty(bList.Data);
        Assert.Equal([invoice.Id], aList.Data.Select(i => i.Id));
        Assert.Empty(server.Invoices("acct_B"));
        Assert.Equal(3, server.Counters.RequestsByAccount["acct_A"]);
        Assert.Equal(3, server.Counters.RequestsByAccount["acct_B"]);
    }

    [Fact]
    public async Task Each_api_key_is_its_own_platform_account_without_Stripe_Account()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var one = StripeClients.For(server, "sk_test_platform_one");
        var two = StripeClients.For(server, "sk_test_platform_two");
        var customer = await one.NewCustomerAsync();

        var error = await Assert.ThrowsAsync<StripeException>(() => two.V1.Customers.GetAsync(customer.Id));

        Assert.Equal(HttpStatusCode.NotFound, error.HttpStatusCode);
        Assert.NotEqual(server.PlatformAccountId("sk_test_platform_one"), server.PlatformAccountId("sk_test_platform_two"));
        Assert.Single(server.Customers(server.PlatformAccountId("sk_test_platform_one")));
    }

    [Fact]
    public async Task Revoked_connected_account_answers_403()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server, stripeAccount: "acct_gone");
        await client.NewCustomerAsync();
        server.RevokeAccountAccess("acct_gone");

        var error = await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync());

        Assert.Equal(HttpStatusCode.Forbidden, error.HttpStatusCode);
        Assert.Equal("account_invalid", error.StripeError.Code);
    }
}
