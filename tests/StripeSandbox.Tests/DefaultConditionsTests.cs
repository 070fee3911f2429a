using System.Net;
using Microsoft.Extensions.Time.Testing;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

/// <summary>What a product meets with the fake's defaults: Stripe as it is, not a clean room.</summary>
public sealed class DefaultConditionsTests
{
    [Fact]
    public async Task The_first_request_of_each_route_fails_once_a_read_before_its_work_and_a_write_after_it()
    {
        await using var server = await StripeSandboxServer.StartAsync();
        var client = StripeClients.For(server);
        var account = server.PlatformAccountId(StripeClients.PlatformKey);

        var create = await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync(options: new RequestOptions { IdempotencyKey = "c-1" }));
        var replayed = await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync(options: new RequestOptions { IdempotencyKey = "c-1" }));
        var customers = server.Customers(account);
        var list = await Assert.ThrowsAsync<StripeException>(() => client.V1.Customers.ListAsync());
        var second = await client.V1.Customers.ListAsync();

        Assert.Equal((HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError), (create.HttpStatusCode, replayed.HttpStatusCode));
        Assert.Single(customers);                                      // the write was done, and its 500 is what the key replays
        Assert.Equal(HttpStatusCode.InternalServerError, list.HttpStatusCode);
        Assert.Equal([customers[0].Id], second.Data.Select(c => c.Id));  // the read failed before its work, once
        var third = await client.NewCustomerAsync();
        Assert.Equal(2, server.Customers(account).Count);              // the route's later requests are not struck
        Assert.NotNull(third.Id);
    }

    [Fact]
    public async Task New_customers_have_a_credit_and_a_coupon_and_cards_are_saved_as_legacy_sources()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { NewCustomerBalance = -100, NewCustomerPercentOff = 10m, SavedCards = SavedCardStyle.LegacySource });
        var client = StripeClients.For(server);
        var account = server.PlatformAccountId(StripeClients.PlatformKey);

        var customer = await client.NewCustomerAsync();
        var card = server.AttachCard(account, customer.Id);
        var read = await client.V1.Customers.GetAsync(customer.Id);

        Assert.Equal(-100, read.Balance);
        Assert.Equal(10m, server.FindCustomer(account, customer.Id)!.DiscountPercentOff);
        Assert.Equal(card, read.DefaultSourceId);
        Assert.Null(read.InvoiceSettings?.DefaultPaymentMethodId);
    }

    [Fact]
    public async Task Defaults_are_stripe_as_it_is_and_exact_turns_every_one_off()
    {
        var defaults = new StripeSandboxOptions();

        Assert.Equal(
            (TimeSpan.FromMinutes(1), -100L, (decimal?)10m, SavedCardStyle.LegacySource, true),
            (defaults.SearchIndexDelay, defaults.NewCustomerBalance, defaults.NewCustomerPercentOff, defaults.SavedCards, defaults.FaultFirstRequestOfEachRoute));
        var exact = StripeSandboxOptions.Exact;
        Assert.Equal(
            (TimeSpan.Zero, 0L, (decimal?)null, SavedCardStyle.PaymentMethod, false),
            (exact.SearchIndexDelay, exact.NewCustomerBalance, exact.NewCustomerPercentOff, exact.SavedCards, exact.FaultFirstRequestOfEachRoute));
    }

    [Fact]
    public async Task By_default_search_sees_a_new_invoice_only_a_minute_later_while_list_sees_it_at_once()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await StripeSandboxServer.StartAsync(new StripeSandboxOptions { TimeProvider = clock, FaultFirstRequestOfEachRoute = false });
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var invoice = await client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id, CollectionMethod = "send_invoice", DaysUntilDue = 30, Metadata = new() { ["key"] = "k-1" },
        });
        var query = new InvoiceSearchOptions { Query = "metadata['key']:'k-1'" };

        var early = await client.V1.Invoices.SearchAsync(query);
        var listed = await client.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customer.Id });
        clock.Advance(TimeSpan.FromMinutes(1));
        var later = await client.V1.Invoices.SearchAsync(query);

        Assert.Empty(early.Data);
        Assert.Equal([invoice.Id], listed.Data.Select(i => i.Id));
        Assert.Equal([invoice.Id], later.Data.Select(i => i.Id));
    }
}
