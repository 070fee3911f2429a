using System.Net;
using Microsoft.Extensions.Time.Testing;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

public sealed class SearchTests
{
    [Fact]
    public async Task Search_by_metadata_finds_only_matching_invoices_of_the_account()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var a = StripeClients.For(server, stripeAccount: "acct_A");
        var b = StripeClients.For(server, stripeAccount: "acct_B");
        var ca = await a.NewCustomerAsync();
        var cb = await b.NewCustomerAsync();
        var wanted = await CreateWithKeyAsync(a, ca.Id, "t-1/2026-03");
        await CreateWithKeyAsync(a, ca.Id, "t-1/2026-04");
        await CreateWithKeyAsync(b, cb.Id, "t-1/2026-03");

        var found = await a.V1.Invoices.SearchAsync(new InvoiceSearchOptions { Query = "metadata['billing_key']:'t-1/2026-03'" });

        Assert.Equal("search_result", found.Object);
        Assert.Equal([wanted.Id], found.Data.Select(i => i.Id));
        Assert.False(found.HasMore);
    }

    [Fact]
    public async Task Search_combines_clauses_with_AND_and_pages_with_next_page()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await CreateWithKeyAsync(client, customer.Id, "same")).Id);
        }

        var query = $"metadata['billing_key']:'same' AND customer:'{customer.Id}' AND status:'draft'";
        var first = await client.V1.Invoices.SearchAsync(new InvoiceSearchOptions { Query = query, Limit = 2 });
        var second = await client.V1.Invoices.SearchAsync(new InvoiceSearchOptions { Query = query, Limit = 2, Page = first.NextPage });
        var none = await client.V1.Invoices.SearchAsync(new InvoiceSearchOptions { Query = "metadata['billing_key']:'same' AND status:'open'" });

        Assert.Equal([ids[2], ids[1]], first.Data.Select(i => i.Id));
        Assert.True(first.HasMore);
        Assert.Equal([ids[0]], second.Data.Select(i => i.Id));
        Assert.False(second.HasMore);
        Assert.Empty(none.Data);
    }

    [Fact]
    public async Task Search_lags_by_the_configured_index_delay()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { TimeProvider = clock, SearchIndexDelay = TimeSpan.FromSeconds(30) });
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var invoice = await CreateWithKeyAsync(client, customer.Id, "lagging");
        var search = new InvoiceSearchOptions { Query = "metadata['billing_key']:'lagging'" };

        var before = await client.V1.Invoices.SearchAsync(search);
        clock.Advance(TimeSpan.FromSeconds(30));
        var after = await client.V1.Invoices.SearchAsync(search);

        Assert.Empty(before.Data);
        Assert.Equal([invoice.Id], after.Data.Select(i => i.Id));
    }

    [Fact]
    public async Task Unsupported_search_field_answers_400()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);

        var error = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.SearchAsync(new InvoiceSearchOptions { Query = "color:'red'" }));

        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal("query", error.StripeError.Param);
    }

    private static Task<Invoice> CreateWithKeyAsync(StripeClient client, string customerId, string key) =>
        client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customerId,
            CollectionMethod = "send_invoice",
            DaysUntilDue = 30,
            Metadata = new Dictionary<string, string> { ["billing_key"] = key },
        });
}
