using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TenantBilling.Grains;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Silo.Hosting;
using TenantBilling.TestSupport;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// Test clusters that run the whole product on PostgreSQL — tenant, invoice, customer, pacer and ledger
/// grains, membership, state and reminders in the database, the product's cluster tuning — against a
/// Stripe fake in this process. Only the billing clock and the tax engine are the test's: the built-in
/// rate table behind <see cref="RecordingTaxProvider"/>, so a test can see what was committed; and the test
/// can hold a state write (<see cref="Writes"/>). The silos run in this process and share <see cref="Clock"/>,
/// <see cref="Taxes"/> and <see cref="Writes"/> with the test, across restarts.
/// </summary>
public static class StripePipelineCluster
{
    public const string PlatformKey = "sk_test_platform_integration_tests";

    private const string ApiBaseKey = "TenantBilling:IntegrationTests:StripeApiBase";
    private const string EncryptionKeyKey = "TenantBilling:IntegrationTests:StripeEncryptionKey";
    private const string RetryIntervalKey = "TenantBilling:IntegrationTests:RetryInterval";

    public static ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public static RecordingTaxProvider Taxes { get; } = new(new RateTableTaxProvider(TaxRateTableLoader.LoadEmbedded()));

    /// <summary>The silos' grain state writes, which a test may hold and lose (a process killed before it wrote its record).</summary>
    public static StateWrites Writes { get; } = new();

    /// <summary>
    /// Deploys <paramref name="silos"/> silos and a client on the database. Pass the same ids, Stripe and
    /// <paramref name="encryptionKey"/> (it decrypts the accounts' stored Stripe keys) to start the cluster again.
    /// </summary>
    /// <param name="retryInterval">The invoices' retry interval (and their account's reminder period); 1 s unless given.</param>
    public static async Task<TestCluster> StartAsync(string connectionString, ClusterIds ids, string stripeApiBase, string encryptionKey, short silos = 2, TimeSpan? retryInterval = null)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ClusterId = ids.ClusterId;
        builder.Options.ServiceId = ids.ServiceId;
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConfigureFileLogging = false;
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Properties[PostgresCluster.ConnectionStringKey] = connectionString;
        builder.Properties[ApiBaseKey] = stripeApiBase;
        builder.Properties[EncryptionKeyKey] = encryptionKey;
        builder.Properties[RetryIntervalKey] = (retryInterval ?? TimeSpan.FromSeconds(1)).ToString("c");
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        try
        {
            await cluster.DeployAsync();
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }

        return cluster;
    }

    /// <summary>
    /// Stops every silo at once without deactivating anything, as if every process were killed: nothing
    /// is written on the way out, and a grain waiting for Stripe never gets its answer. The new silos see
    /// the old ones' membership rows go stale and declare them dead, as after <c>kill -9</c>.
    /// </summary>
    public static async Task KillAllSilosAsync(TestCluster cluster)
    {
        foreach (var silo in cluster.Silos.ToList())
        {
            await cluster.KillSiloAsync(silo);
        }
    }

    private static string Setting(IConfiguration configuration, string key) =>
        configuration[key] ?? throw new InvalidOperationException($"{key} is not configured.");

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = siloBuilder.Configuration;
            siloBuilder.UsePostgres(Setting(configuration, PostgresCluster.ConnectionStringKey));
            Writes.Around(siloBuilder.Services, StorageNames.Billing);
            siloBuilder.UseBillingClusterTuning(configuration);
            // Test silos only: reminders may tick every second, so the invoice resumes within seconds of the restart.
            siloBuilder.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            var retryInterval = TimeSpan.Parse(Setting(configuration, RetryIntervalKey), System.Globalization.CultureInfo.InvariantCulture);
            siloBuilder.Services.Configure<BillingOptions>(o =>
            {
                o.RetryInterval = retryInterval;
                o.QuickRetryDelay = TimeSpan.FromMilliseconds(50);
            });
            siloBuilder.Services.AddKeyedSingleton<TimeProvider>(BillingClock.Key, Clock);
            siloBuilder.Services.AddSingleton<ITaxProvider>(Taxes);
            siloBuilder.Services.AddTenantBillingGrainServices(new ConfigurationBuilder().Build());
            var apiBase = Setting(configuration, ApiBaseKey);
            var encryptionKey = Setting(configuration, EncryptionKeyKey);
            siloBuilder.Services.Configure<StripeOptions>(o =>
            {
                o.ApiBase = apiBase;
                o.PlatformSecretKey = PlatformKey;
                o.EncryptionKey = encryptionKey;
                o.Mode = StripeMode.Test;
            });
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UsePostgres(Setting(configuration, PostgresCluster.ConnectionStringKey));
    }
}
