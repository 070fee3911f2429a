using TenantBilling.Grains;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Silo.Hosting;
using TenantBilling.StripeSandbox;

namespace TenantBilling.Api.Sandbox;

/// <summary>
/// The Stripe sandbox for trying the product offline (docs/stripe-sandbox.md): when
/// <see cref="StripeSandboxDecision"/> lets it run, this process's Stripe settings point at it, so every
/// invoice goes through the real Stripe path (Stripe.net over HTTP on loopback) to a local emulator.
/// </summary>
public static class StripeSandboxHosting
{
    /// <summary>
    /// The platform key of the sandbox, so the operator can rehearse Stripe Connect too (any <c>acct_…</c> id is
    /// an account of the sandbox). It opens nothing: the sandbox accepts every test key.
    /// </summary>
    public const string PlatformKey = "sk_test_tenantbillingsandboxplatform";

    /// <summary>Stripe settings that mean "use this Stripe": with any of them set, the sandbox does not run.</summary>
    private static readonly string[] StripeSettingsThatWin = [nameof(StripeOptions.ApiBase), nameof(StripeOptions.PlatformSecretKey), nameof(StripeOptions.Mode)];

    public static void AddStripeSandbox(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var settings = configuration.GetSection(StripeSandboxSettings.Section).Get<StripeSandboxSettings>() ?? new StripeSandboxSettings();
        if (settings.Port is < 0 or > 65535)
        {
            throw new InvalidOperationException($"StripeSandbox:Port must be 0 (a free port) or a port number, not {settings.Port}.");
        }

        var embedded = configuration.PostgresConnectionString() is null && configuration.GetValue("Api:Cluster", ClusterMode.CoHosted) == ClusterMode.CoHosted;
        var stripe = configuration.GetSection(StripeOptions.Section);
        var stripeConfigured = StripeSettingsThatWin.Any(key => !string.IsNullOrWhiteSpace(stripe[key]));
        var decision = StripeSandboxDecision.For(settings.Enabled, builder.Environment.IsProduction(), embedded, stripeConfigured);

        var services = builder.Services;
        services.AddSingleton(new StripeSandboxLabel(decision.Runs));
        if (!settings.Enabled)
        {
            return;
        }

        services.AddSingleton(sp => new StripeSandboxHost(decision, Options(settings, sp.GetRequiredKeyedService<TimeProvider>(BillingClock.Key)), sp.GetRequiredService<ILogger<StripeSandboxHost>>()));
        services.AddHostedService(sp => sp.GetRequiredService<StripeSandboxHost>());
        if (decision.Runs)
        {
            services.AddOptions<StripeOptions>().PostConfigure<StripeSandboxHost>((stripeOptions, host) =>
            {
                stripeOptions.ApiBase = host.ApiBase;
                stripeOptions.PlatformSecretKey = PlatformKey;
                stripeOptions.Mode = StripeMode.Test;
            });
        }
    }

    /// <summary>
    /// Which of the emulator's "Stripe as it is" conditions a newcomer meets. Off: the first-request faults
    /// (a first invoice would be slower and its log noisy; <see cref="StripeSandboxSettings.FaultFirstRequestOfEachRoute"/>
    /// turns them on), and the credit and coupon on every new customer (the amount due would differ from the
    /// total for no reason the newcomer made). Kept: search lagging a minute (we list, never search) and legacy
    /// saved cards (nothing saves a card in the sandbox). Ids and numbers say sandbox; the request log, which
    /// only tests read, is off so a long run does not grow. Its clock is the billing clock, so the test clock
    /// dates the sandbox's invoices as it dates ours.
    /// </summary>
    public static StripeSandboxOptions Options(StripeSandboxSettings settings, TimeProvider billingClock) => new()
    {
        TimeProvider = billingClock,
        Port = settings.Port,
        SandboxIds = true,
        FaultFirstRequestOfEachRoute = settings.FaultFirstRequestOfEachRoute,
        NewCustomerBalance = 0,
        NewCustomerPercentOff = null,
        RecordRequestLog = false,
    };
}
