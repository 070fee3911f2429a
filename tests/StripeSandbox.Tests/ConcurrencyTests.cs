using System.Net;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Concurrent_requests_with_one_key_create_one_object_and_others_replay_or_get_409()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var options = new RequestOptions { IdempotencyKey = "customer:race" };
        using var start = new SemaphoreSlim(0);

        var calls = Enumerable.Range(0, 40).Select(async _ =>
        {
            await start.WaitAsync();
            try
            {
                return (Id: (await client.NewCustomerAsync("Race", options)).Id, Status: HttpStatusCode.OK);
            }
            catch (StripeException e)
            {
                Assert.Equal("idempotency_error", e.StripeError.Type);
                return (Id: (string?)null, Status: e.HttpStatusCode);
            }
        }).ToList();
        start.Release(calls.Count);
        var results = await Task.WhenAll(calls);

        var created = Assert.Single(server.Customers(server.PlatformAccountId(StripeClients.PlatformKey)));
        Assert.All(results, r => Assert.True(r.Status == HttpStatusCode.Conflict || (r.Status == HttpStatusCode.OK && r.Id == created.Id)));
    }

    [Fact]
    public async Task Parallel_invoices_across_accounts_keep_totals_and_numbers_consistent()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var accounts = Enumerable.Range(0, 8).Select(i => $"acct_par{i}").ToList();
        const int invoicesPerAccount = 10;

        await Task.WhenAll(accounts.Select(async account =>
        {
            var client = StripeClients.For(server, stripeAccount: account);
            var customer = await client.NewCustomerAsync();
            await Task.WhenAll(Enumerable.Range(1, invoicesPerAccount).Select(async n =>
            {
                var draft = await client.NewDraftAsync(customer.Id);
                await client.AddAmountLineAsync(draft.Id, n * 100);
                await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
            }));
        }));

        foreach (var account in accounts)
        {
            var invoices = server.Invoices(account);
            var prefix = server.Customers(account).Single().InvoicePrefix;
            Assert.Equal(Enumerable.Range(1, invoicesPerAccount).Sum() * 100, invoices.Sum(i => i.Total));
            Assert.Equal(
                Enumerable.Range(1, invoicesPerAccount).Select(n => $"{prefix}-{n:D4}"),
                invoices.Select(i => i.Number!).Order(StringComparer.Ordinal));
        }

        Assert.Equal(accounts.Count * (1 + (3 * invoicesPerAccount)), server.Counters.TotalRequests);
    }
}
