using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using TenantBilling.StripeSandbox;

namespace TenantBilling.Api.Tests.Support;

/// <summary>The API with its Stripe settings pointed at a Stripe fake running in the test process.</summary>
public class StripeApiFactory : ApiFactory, IAsyncLifetime
{
    public const string WebhookSecret = "whsec_api_tests";

    public StripeSandboxServer Stripe { get; private set; } = null!;

    /// <summary>Everything the service logged, at every level.</summary>
    public CapturedLogs Logs { get; } = new();

    public async Task InitializeAsync() => Stripe = await StripeSandboxServer.StartAsync(FakeOptions);

    /// <summary>How the fake behaves: Stripe as it is by default (first-request faults, search lag, credits and coupons).</summary>
    protected virtual StripeSandboxOptions? FakeOptions => null;

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Stripe.DisposeAsync();
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("Stripe:ApiBase", Stripe.ApiBase);
        builder.UseSetting("Stripe:PlatformSecretKey", "sk_test_platform_api_tests");
        builder.UseSetting("Stripe:EncryptionKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        builder.UseSetting("Stripe:WebhookSecret", WebhookSecret);
        builder.UseSetting("Stripe:RequestTimeout", "00:00:05");
        builder.UseSetting("Billing:RetryInterval", "00:01:00");
        builder.UseSetting("Billing:QuickRetryDelay", "00:00:00.050");
        builder.UseSetting("Logging:LogLevel:Default", "Trace");
        builder.ConfigureLogging(logging => logging.AddProvider(Logs));
    }
}
