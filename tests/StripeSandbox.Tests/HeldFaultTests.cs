using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

/// <summary>A request held while something else happens, then run as if nothing struck (or not at all, if its client gave up).</summary>
public sealed class HeldFaultTests
{
    [Fact]
    public async Task A_held_request_waits_for_what_happens_meanwhile_then_runs_and_answers()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var account = server.PlatformAccountId(StripeClients.PlatformKey);
        var customersWhileHeld = -1;
        var held = server.InjectFault(new FaultRule(FaultKind.HeldBeforeWork)
        {
            Method = "POST", Path = "/v1/customers",
            WhileHeld = async () =>
            {
                // Another request goes through while this one waits; the held one has not run yet.
                await client.V1.TaxRates.CreateAsync(new TaxRateCreateOptions { DisplayName = "Meanwhile", Percentage = 1m, Inclusive = false });
                customersWhileHeld = server.Customers(account).Count;
            },
        });

        var customer = await client.NewCustomerAsync();

        Assert.Equal((1, 0), (held.Fired, customersWhileHeld));
        Assert.Equal(customer.Id, Assert.Single(server.Customers(account)).Id);
    }

    [Fact]
    public async Task A_held_request_whose_client_gave_up_meanwhile_does_nothing()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var holding = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        server.InjectFault(new FaultRule(FaultKind.HeldBeforeWork)
        {
            Path = "/v1/customers",
            WhileHeld = () =>
            {
                holding.TrySetResult();
                return release.Task;
            },
            ClientGaveUpWhileHeld = () => release.TrySetResult(),   // the hold ends once the server has seen the client go
        });

        // The client gives up once the request is held at Stripe (not on a timer, which a slow first request could beat).
        using var giveUp = new CancellationTokenSource();
        var creating = client.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "Acme Tenant", Email = "billing@acme.test" }, null, giveUp.Token);
        await holding.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await giveUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => creating);

        var entry = await WaitForAsync(() => server.RequestLog.SingleOrDefault(r => r.Outcome == RequestOutcome.FaultBeforeWork));
        Assert.Equal(0, entry.Status);
        Assert.Empty(server.Customers(server.PlatformAccountId(StripeClients.PlatformKey)));
    }

    private static async Task<T> WaitForAsync<T>(Func<T?> probe)
        where T : class
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            if (probe() is { } value)
            {
                return value;
            }

            await Task.Delay(10, timeout.Token);
        }
    }
}
