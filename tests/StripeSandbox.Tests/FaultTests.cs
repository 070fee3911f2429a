using System.Net;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task Server_error_before_work_creates_nothing()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var fault = server.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork) { Method = "POST", Path = "/v1/customers" });

        var error = await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync());
        var account = server.PlatformAccountId(StripeClients.PlatformKey);
        var emptyAfterFault = server.Customers(account).Count;
        await client.NewCustomerAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, error.HttpStatusCode);
        Assert.Equal("api_error", error.StripeError.Type);
        Assert.Equal(0, emptyAfterFault);
        Assert.Single(server.Customers(account));
        Assert.Equal(1, fault.Fired);
    }

    [Fact]
    public async Task Stripe_net_retries_a_server_error_before_work_with_the_same_key_and_creates_one_object()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server, maxNetworkRetries: 2);
        server.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork) { Path = "/v1/customers" });

        var customer = await client.NewCustomerAsync();

        var attempts = server.RequestLog.Where(r => r.Route == "POST /v1/customers").ToList();
        Assert.Equal([500, 200], attempts.Select(a => a.Status));
        Assert.Single(attempts.Select(a => a.IdempotencyKey).Distinct());
        Assert.Equal([customer.Id], server.Customers(server.PlatformAccountId(StripeClients.PlatformKey)).Select(c => c.Id));
    }

    [Fact]
    public async Task Server_error_after_work_leaves_the_invoice_created_and_the_key_replays_the_500()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        server.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/invoices" });
        var options = new RequestOptions { IdempotencyKey = "invoice:after-work" };
        var create = new InvoiceCreateOptions
        {
            Customer = customer.Id,
            CollectionMethod = "send_invoice",
            DaysUntilDue = 30,
            Metadata = new Dictionary<string, string> { ["billing_key"] = "after-work" },
        };

        var error = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.CreateAsync(create, options));
        var retry = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.CreateAsync(create, options));
        var found = await client.V1.Invoices.SearchAsync(new InvoiceSearchOptions { Query = "metadata['billing_key']:'after-work'" });

        Assert.Equal(HttpStatusCode.InternalServerError, error.HttpStatusCode);
        Assert.Equal("false", error.StripeResponse.Headers.GetValues("Stripe-Should-Retry").Single());
        Assert.Equal(HttpStatusCode.InternalServerError, retry.HttpStatusCode);
        var stored = Assert.Single(server.Invoices(server.PlatformAccountId(StripeClients.PlatformKey)));
        Assert.Equal([stored.Id], found.Data.Select(i => i.Id));
    }

    [Fact]
    public async Task Server_error_after_work_with_replay_success_gives_the_object_on_retry()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        server.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Path = "/v1/invoices", ReplaySuccess = true });
        var options = new RequestOptions { IdempotencyKey = "invoice:replay-success" };

        await Assert.ThrowsAsync<StripeException>(() => client.NewDraftAsync(customer.Id, options: options));
        var retried = await client.NewDraftAsync(customer.Id, options: options);

        var stored = Assert.Single(server.Invoices(server.PlatformAccountId(StripeClients.PlatformKey)));
        Assert.Equal(stored.Id, retried.Id);
    }

    [Fact]
    public async Task Timeout_after_work_creates_the_object_and_a_retry_with_the_key_returns_it()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var slowClient = StripeClients.For(server, timeout: TimeSpan.FromMilliseconds(300));
        var customer = await StripeClients.For(server).NewCustomerAsync();
        server.InjectFault(new FaultRule(FaultKind.TimeoutAfterWork) { Path = "/v1/invoices", Delay = TimeSpan.FromSeconds(20) });
        var options = new RequestOptions { IdempotencyKey = "invoice:timeout" };

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slowClient.NewDraftAsync(customer.Id, options: options));
        var retried = await slowClient.NewDraftAsync(customer.Id, options: options);

        var stored = Assert.Single(server.Invoices(server.PlatformAccountId(StripeClients.PlatformKey)));
        Assert.Equal(stored.Id, retried.Id);
        Assert.Equal("true", retried.StripeResponse.Headers.GetValues("Idempotent-Replayed").Single());
    }

    [Fact]
    public async Task Timeout_before_work_creates_nothing_once_the_client_gave_up()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var slowClient = StripeClients.For(server, timeout: TimeSpan.FromMilliseconds(300));
        server.InjectFault(new FaultRule(FaultKind.TimeoutBeforeWork) { Path = "/v1/customers", Delay = TimeSpan.FromSeconds(20) });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => slowClient.NewCustomerAsync());
        var entry = await WaitForAsync(() => server.RequestLog.SingleOrDefault(r => r.Outcome == RequestOutcome.FaultBeforeWork));

        Assert.Equal(0, entry.Status);
        Assert.Empty(server.Customers(server.PlatformAccountId(StripeClients.PlatformKey)));
    }

    [Fact]
    public async Task Dropped_connection_after_work_fails_the_call_but_keeps_the_object()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        server.InjectFault(new FaultRule(FaultKind.DropConnectionAfterWork) { Path = "/v1/customers" });

        await Assert.ThrowsAsync<HttpRequestException>(() => client.NewCustomerAsync());

        Assert.Single(server.Customers(server.PlatformAccountId(StripeClients.PlatformKey)));
    }

    [Fact]
    public async Task Fault_path_pattern_strikes_only_matching_requests_for_the_next_n()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        server.AttachCard(server.PlatformAccountId(StripeClients.PlatformKey), customer.Id);
        var fault = server.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork) { Path = "/v1/invoices/*/pay", Count = 2, StatusCode = 503 });
        var draft = await client.NewDraftAsync(customer.Id, "charge_automatically");
        await client.AddAmountLineAsync(draft.Id, 100);
        await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);

        var first = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.PayAsync(draft.Id));
        await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.PayAsync(draft.Id));
        var paid = await client.V1.Invoices.PayAsync(draft.Id);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, first.HttpStatusCode);
        Assert.Equal("paid", paid.Status);
        Assert.Equal(2, fault.Fired);
        Assert.Equal(2, server.Counters.FaultsFired);
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(10, timeout.Token);
        }
    }

    [Fact]
    public async Task A_fault_can_answer_any_body_or_any_stripe_error()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        server.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork) { Path = "/v1/customers", StatusCode = 502, RawBody = "<html>Bad gateway</html>" });
        server.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork) { Path = "/v1/customers", StatusCode = 400, ErrorMessage = "Your line is wrong.", ErrorCode = "parameter_invalid_string" });

        var raw = await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync());
        var error = await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync());

        Assert.Equal(HttpStatusCode.BadGateway, raw.HttpStatusCode);
        Assert.Null(raw.StripeError);
        Assert.Contains("Bad gateway", raw.StripeResponse.Content, StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.BadRequest, "invalid_request_error", "parameter_invalid_string", "Your line is wrong."),
            (error.HttpStatusCode, error.StripeError.Type, error.StripeError.Code, error.StripeError.Message));
        Assert.Empty(server.Customers(server.PlatformAccountId(StripeClients.PlatformKey)));
    }
}
