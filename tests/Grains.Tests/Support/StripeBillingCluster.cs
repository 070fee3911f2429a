using TenantBilling.TestSupport;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Silo.Hosting;
using TenantBilling.StripeSandbox;

namespace TenantBilling.Grains.Tests.Support;

/// <summary>
/// The real invoice pipeline: in-process silos with the product's grain services, talking through
/// Stripe.net to the Stripe fake on loopback.
/// </summary>
/// <param name="retryInterval">The invoice retry period (default one second).</param>
/// <param name="fakeOnBillingClock">Run the fake's clock (idempotency window, rate limits) on <see cref="Clock"/> instead of real time.</param>
/// <param name="firstRequestFaults">
/// The fake's default 500 on the first request of each route in each account (<see cref="StripeSandboxOptions.FaultFirstRequestOfEachRoute"/>);
/// off only for tests that count a grain's writes or Stripe's requests exactly. The fake's other Stripe-as-it-is defaults always apply.
/// </param>
public class StripeBillingCluster(short silos, TimeSpan? retryInterval = null, bool fakeOnBillingClock = false, bool firstRequestFaults = true) : IAsyncLifetime
{
    public const string PlatformKey = "sk_test_platform0000000000";
    public const string WebhookSecret = "whsec_test_secret";

    public static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(2);

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>The tax engine: the built-in rate table, recording what was committed and voided; commits and voids can be made to fail.</summary>
    public RecordingTaxProvider Taxes { get; } = new(new RateTableTaxProvider(TaxRateTableLoader.LoadEmbedded()));

    /// <summary>Failures a test injects into grain storage writes and grain calls.</summary>
    public InjectedFaults Faults { get; } = new();

    public StripeSandboxServer Stripe { get; private set; } = null!;

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        Stripe = await StripeSandboxServer.StartAsync(new StripeSandboxOptions
        {
            RecordRequestLog = true,
            TimeProvider = fakeOnBillingClock ? Clock : TimeProvider.System,
            FaultFirstRequestOfEachRoute = firstRequestFaults,
        });
        var retry = retryInterval ?? BillingCluster.RetryInterval;
        var encryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var builder = new InProcessTestClusterBuilder(silos);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Billing);
            silo.Services.AddKeyedSingleton<IGrainStorage>(
                StorageNames.Billing, (sp, key) => new FaultyStorage(MemoryGrainStorageFactory.Create(sp, (string)key!), Faults));
            silo.AddIncomingGrainCallFilter(new FaultyCalls(Faults));
            silo.UseInMemoryReminderService();
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = retry);
            silo.Services.Configure<BillingOptions>(o =>
            {
                o.RetryInterval = retry;
                o.QuickRetryDelay = TimeSpan.FromMilliseconds(50);
            });
            silo.Services.AddKeyedSingleton<TimeProvider>(BillingClock.Key, Clock);
            silo.Services.AddSingleton<ITaxProvider>(Taxes);
            silo.Services.AddTenantBillingGrainServices(new ConfigurationBuilder().Build());
            silo.Services.Configure<StripeOptions>(o =>
            {
                o.ApiBase = Stripe.ApiBase;
                o.PlatformSecretKey = PlatformKey;
                o.WebhookSecret = WebhookSecret;
                o.EncryptionKey = encryptionKey;
                o.RequestTimeout = RequestTimeout;
                o.Mode = StripeMode.Test;
            });
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.DisposeAsync();
        await Stripe.DisposeAsync();
    }

    /// <summary>A tenant of a new account whose own Stripe key is connected; the fake's account id for it.</summary>
    public async Task<(Scenario Scenario, string StripeAccount)> StartAsync(
        bool autoCharge = false, bool includeTaxes = false, int requestsPerSecond = 100, string? secretKey = null)
    {
        var scenario = await Scenario.StartAsync(Grains, billingDay: null);
        var key = secretKey ?? $"sk_test_{Guid.NewGuid():N}";
        var account = Grains.GetGrain<IAccountGrain>(scenario.AccountId);
        await account.ConnectStripeAsync(new StripeCredentials(null, key));
        await account.UpdateSettingsAsync(new AccountSettings(30, requestsPerSecond));
        await scenario.Tenant.SetBillingProfileAsync(new BillingProfileInput(
            autoCharge, includeTaxes, 20,
            new Dictionary<string, decimal> { ["minutes_outbound"] = 0.0125m, ["local_numbers"] = 1.50m },
            [new RecurringItem("Hosted PBX seat", 3, 19.99m, TaxCategory.VoipSeats)]));
        return (scenario, Stripe.PlatformAccountId(key));
    }

    /// <summary>The names of the reminders registered for <paramref name="grain"/>, read from the first silo's reminder table.</summary>
    public async Task<IReadOnlyList<string>> ReminderNamesAsync(IAddressable grain)
    {
        var table = Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<IReminderTable>();
        return [.. (await table.ReadRows(grain.GetGrainId())).Reminders.Select(reminder => reminder.ReminderName)];
    }

    /// <summary>A Stripe.net client that reads the fake's account <paramref name="stripeAccount"/> (any account, through <c>Stripe-Account</c>), as a test looks at Stripe.</summary>
    public global::Stripe.StripeClient StripeClient(string stripeAccount) => StripeReader.For(Stripe.ApiBase, PlatformKey, stripeAccount);

    /// <summary>Delivers the month's statement after its billing day, so the invoice is due at once, and fires the reminder.</summary>
    public static async Task<InvoiceDraft> BillAsync(Scenario scenario, string period, decimal usageTotal = 42m, decimal minutes = 1000)
    {
        await scenario.Tenant.AcceptStatementAsync(period, Scenario.Usage(minutes, usageTotal));
        var preview = (await scenario.Tenant.PreviewInvoiceAsync(period)).Draft;
        await scenario.FireReminderAsync();
        return preview;
    }

    /// <summary>Waits until the invoice reaches a status other than handed-over or held.</summary>
    public async Task<InvoiceSummary> SettledAsync(string invoiceKey, TimeSpan? timeout = null)
    {
        InvoiceSummary? summary = null;
        await Eventually.TrueAsync(
            async () =>
            {
                summary = await Grains.GetGrain<IStripeInvoiceGrain>(invoiceKey).GetSummaryAsync();
                return summary is { Status: not (InvoiceStatus.HandedOver or InvoiceStatus.Held) };
            },
            timeout ?? TimeSpan.FromSeconds(30));
        return summary!;
    }
}

/// <summary>One silo with the Stripe fake, shared by the Stripe tests.</summary>
public sealed class OneSiloStripeCluster() : StripeBillingCluster(1);

[CollectionDefinition(Name)]
public sealed class StripeClusterTests : ICollectionFixture<OneSiloStripeCluster>
{
    public const string Name = "stripe cluster";
}
