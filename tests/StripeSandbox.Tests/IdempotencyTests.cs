using System.Net;
using Microsoft.Extensions.Time.Testing;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

public sealed class IdempotencyTests
{
    [Fact]
    public async Task Replaying_a_key_with_the_same_parameters_returns_the_same_object_without_creating_another()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var options = new RequestOptions { IdempotencyKey = "invoice:t-1:2026-03" };
        var create = new InvoiceCreateOptions { Customer = customer.Id, CollectionMethod = "send_invoice", DaysUntilDue = 30 };

        var first = await client.V1.Invoices.CreateAsync(create, options);
        var second = await client.V1.Invoices.CreateAsync(create, options);

        Assert.Equal(first.Id, second.Id);
        Assert.Equal(first.StripeResponse.Content, second.StripeResponse.Content);
        Assert.Equal("true", second.StripeResponse.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Single(server.Invoices(server.PlatformAccountId(StripeClients.PlatformKey)));
        Assert.Equal(1, server.Counters.IdempotentReplays);
    }

    [Fact]
    public async Task Replaying_a_declined_payment_replays_the_402_without_a_second_attempt()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        server.AttachCard(server.PlatformAccountId(StripeClients.PlatformKey), customer.Id, FakeCard.Declined);
        var draft = await client.NewDraftAsync(customer.Id, "charge_automatically");
        await client.AddAmountLineAsync(draft.Id, 900);
        var options = new RequestOptions { IdempotencyKey = "pay:1" };

        var first = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.PayAsync(draft.Id, null, options));
        var replay = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.PayAsync(draft.Id, null, options));

        Assert.Equal(HttpStatusCode.PaymentRequired, replay.HttpStatusCode);
        Assert.Equal(first.StripeError.Charge, replay.StripeError.Charge);
        Assert.Equal(1, (await client.V1.Invoices.GetAsync(draft.Id)).AttemptCount);
    }

    [Fact]
    public async Task Same_key_with_other_parameters_answers_idempotency_error()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var options = new RequestOptions { IdempotencyKey = "customer:1" };
        await client.NewCustomerAsync("First", options);

        var error = await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync("Second", options));

        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal("idempotency_error", error.StripeError.Type);
        Assert.Single(server.Customers(server.PlatformAccountId(StripeClients.PlatformKey)));
    }

    [Fact]
    public async Task A_key_that_got_a_500_replays_it_and_with_changed_parameters_is_an_idempotency_error()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        server.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Path = "/v1/customers" });
        var options = new RequestOptions { IdempotencyKey = "tenant:customer-0" };

        var first = await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync("Bob's Bakery", options));
        var again = await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync("Bob's Bakery", options));
        var changed = await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync("Bob's Bakery & Cafe", options));

        Assert.Equal((HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError), (first.HttpStatusCode, again.HttpStatusCode));
        Assert.Equal((HttpStatusCode.BadRequest, "idempotency_error"), (changed.HttpStatusCode, changed.StripeError.Type));
        Assert.Single(server.Customers(server.PlatformAccountId(StripeClients.PlatformKey)));   // made once, by the first request
    }

    [Fact]
    public async Task Keys_are_scoped_per_account()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var options = new RequestOptions { IdempotencyKey = "customer:same-key" };

        var a = await StripeClients.For(server, stripeAccount: "acct_A").NewCustomerAsync("Same", options);
        var b = await StripeClients.For(server, stripeAccount: "acct_B").NewCustomerAsync("Same", options);

        Assert.NotEqual(a.Id, b.Id);
        Assert.Single(server.Customers("acct_A"));
        Assert.Single(server.Customers("acct_B"));
    }

    [Fact]
    public async Task After_the_window_a_key_runs_again_and_search_by_metadata_finds_the_first_invoice()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { TimeProvider = clock });
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var create = new InvoiceCreateOptions
        {
            Customer = customer.Id,
            CollectionMethod = "send_invoice",
            DaysUntilDue = 30,
            Metadata = new Dictionary<string, string> { ["billing_key"] = "t-1/2026-03" },
        };
        var options = new RequestOptions { IdempotencyKey = "invoice:t-1:2026-03" };
        var first = await client.V1.Invoices.CreateAsync(create, options);

        clock.Advance(server.Options.IdempotencyWindow);
        var found = await client.V1.Invoices.SearchAsync(new InvoiceSearchOptions { Query = "metadata['billing_key']:'t-1/2026-03'" });
        var again = await client.V1.Invoices.CreateAsync(create, options);

        Assert.Equal([first.Id], found.Data.Select(i => i.Id));
        Assert.NotEqual(first.Id, again.Id);
    }
}
