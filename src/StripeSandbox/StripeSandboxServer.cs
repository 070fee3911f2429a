using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TenantBilling.StripeSandbox.Api;
using TenantBilling.StripeSandbox.Faults;
using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.Idempotency;
using TenantBilling.StripeSandbox.Pages;
using TenantBilling.StripeSandbox.RateLimiting;
using TenantBilling.StripeSandbox.State;
using TenantBilling.StripeSandbox.Webhooks;

namespace TenantBilling.StripeSandbox;

/// <summary>
/// A stateful fake of Stripe's v1 HTTP API (customers, invoice items, invoices) on 127.0.0.1 and a free
/// port, for the real Stripe.net client: <c>new StripeClient(new StripeClientOptions { ApiKey = "sk_test_...",
/// ApiBase = server.ApiBase })</c>, and each finalized invoice's page at its <c>hosted_invoice_url</c>
/// (<see cref="HostedPages"/>). The control methods (partial class, <c>StripeSandboxServer.Control.cs</c>)
/// let tests shape behaviour and read state. Thread-safe.
/// </summary>
public sealed partial class StripeSandboxServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly FakeEnvironment environment;
    private readonly AccountStore accounts;
    private readonly AccountRateLimiter rateLimiter;
    private readonly FaultInjector faults;
    private readonly IdempotencyStore idempotency;
    private readonly WebhookDispatcher webhooks;
    private readonly RequestPipeline pipeline;
    private readonly ConcurrentQueue<RequestLogEntry> log = new();

    private StripeSandboxServer(StripeSandboxOptions options)
    {
        this.Options = options;
        this.environment = new FakeEnvironment(options);
        this.accounts = new AccountStore();
        this.rateLimiter = new AccountRateLimiter(options.TimeProvider, options.DefaultRateLimit);
        this.faults = new FaultInjector();
        this.idempotency = new IdempotencyStore(options.TimeProvider, options.IdempotencyWindow);
        this.webhooks = new WebhookDispatcher(options.TimeProvider);
        var router = new Router().MapAccount().MapCustomers().MapTaxRates().MapInvoiceItems().MapInvoices().MapCreditNotes().MapEvents();
        this.pipeline = new RequestPipeline(
            this.environment, router, this.accounts, this.rateLimiter, this.faults, this.idempotency, this.webhooks, this.Counters, this.log);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, options.Port);
            k.AddServerHeader = false;
        });
        this.app = builder.Build();
        var pages = new HostedPages(this.accounts);
        this.app.Run(http => HostedPages.Serves(http.Request) ? pages.HandleAsync(http) : this.pipeline.HandleAsync(http));
    }

    /// <summary>The options the server runs with.</summary>
    public StripeSandboxOptions Options { get; }

    /// <summary>Root URL, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>The value for Stripe.net's <c>ApiBase</c>: <see cref="BaseUrl"/> without the trailing slash.</summary>
    public string ApiBase => this.environment.ApiBase;

    /// <summary>Request counters (per account, per route, 429s, replays, faults).</summary>
    public FakeCounters Counters { get; } = new();

    /// <summary>Every request so far in arrival order (when <see cref="StripeSandboxOptions.RecordRequestLog"/> is on).</summary>
    public IReadOnlyList<RequestLogEntry> RequestLog => [.. this.log];

    /// <summary>Starts a server on 127.0.0.1 and <see cref="StripeSandboxOptions.Port"/> (a free port by default).</summary>
    public static async Task<StripeSandboxServer> StartAsync(StripeSandboxOptions? options = null)
    {
        var server = new StripeSandboxServer(options ?? new StripeSandboxOptions());
        await server.app.StartAsync().ConfigureAwait(false);
        var address = server.app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        server.environment.ApiBase = address.TrimEnd('/');
        return server;
    }

    /// <summary>Stops the server and waits for webhook deliveries in flight.</summary>
    public async ValueTask DisposeAsync()
    {
        await this.app.StopAsync().ConfigureAwait(false);
        await this.app.DisposeAsync().ConfigureAwait(false);
        await this.webhooks.WhenIdleAsync().ConfigureAwait(false);
        this.webhooks.Dispose();
    }
}
