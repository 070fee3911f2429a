using System.Net;
using Microsoft.Extensions.Time.Testing;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

public sealed class RateLimitTests
{
    [Fact]
    public async Task Requests_over_the_bucket_answer_429_rate_limit_and_are_counted()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { TimeProvider = clock });
        server.SetRateLimit("acct_limited", RateLimit.PerSecond(3));
        var client = StripeClients.For(server, stripeAccount: "acct_limited");

        var outcomes = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            try
            {
                await client.NewCustomerAsync();
                outcomes.Add(HttpStatusCode.OK);
            }
            catch (StripeException e)
            {
                Assert.Equal("rate_limit", e.StripeError.Code);
                outcomes.Add(e.HttpStatusCode);
            }
        }

        clock.Advance(TimeSpan.FromSeconds(1));
        await client.NewCustomerAsync();

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], outcomes);
        Assert.Equal(2, server.Counters.RateLimited);
        Assert.Equal(2, server.Counters.RateLimitedByAccount["acct_limited"]);
        Assert.Equal(4, server.Customers("acct_limited").Count);
    }

    [Fact]
    public async Task Limit_is_per_account()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { TimeProvider = clock, DefaultRateLimit = RateLimit.PerSecond(1) });

        await StripeClients.For(server, stripeAccount: "acct_1").NewCustomerAsync();
        await StripeClients.For(server, stripeAccount: "acct_2").NewCustomerAsync();
        var error = await Assert.ThrowsAsync<StripeException>(() => StripeClients.For(server, stripeAccount: "acct_1").NewCustomerAsync());

        Assert.Equal(HttpStatusCode.TooManyRequests, error.HttpStatusCode);
        Assert.False(server.Counters.RateLimitedByAccount.ContainsKey("acct_2"));
    }

    [Fact]
    public async Task Stripe_net_does_not_retry_a_429_without_Stripe_Should_Retry()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 4, 1, 0, 0, 0, TimeSpan.Zero));
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { TimeProvider = clock });
        server.SetRateLimit("acct_r", RateLimit.PerSecond(1));
        var client = StripeClients.For(server, stripeAccount: "acct_r", maxNetworkRetries: 2);
        await client.NewCustomerAsync();

        await Assert.ThrowsAsync<StripeException>(() => client.NewCustomerAsync());

        Assert.Equal(2, server.Counters.RequestsByAccount["acct_r"]);
        Assert.Equal(1, server.Counters.RateLimited);
    }
}
