using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Grains;
using TenantBilling.TestSupport;
using Orleans.TestingHost;
using TenantBilling.Silo.Hosting;

namespace TenantBilling.Integration.Tests;

/// <summary>Starts test clusters whose silos and client run on PostgreSQL through UsePostgres.</summary>
public static class PostgresCluster
{
    /// <summary>Configuration key that carries the connection string into the test silos and client.</summary>
    public const string ConnectionStringKey = "TenantBilling:IntegrationTests:Postgres";

    /// <summary>
    /// Deploys <paramref name="silos"/> silos and a client. Pass the same ids to start a cluster again on
    /// stored state; give every test its own ids, since a silo from an earlier cluster stays in the table.
    /// </summary>
    /// <param name="billing">Also run the product's grain services, with <see cref="BillingDoubles"/> in place of the clock and of the invoice grain.</param>
    public static async Task<TestCluster> StartAsync(string connectionString, ClusterIds ids, short silos = 1, bool billing = false)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ClusterId = ids.ClusterId;
        builder.Options.ServiceId = ids.ServiceId;
        builder.Options.UseTestClusterMembership = false;
        builder.Options.ConfigureFileLogging = false;
        // Real sockets, so that a client outside the test cluster (the API in client mode) can reach its gateways.
        builder.Options.ConnectionTransport = ConnectionTransportType.TcpSocket;
        builder.Properties[ConnectionStringKey] = connectionString;
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        if (billing)
        {
            builder.AddSiloBuilderConfigurator<BillingSiloConfigurator>();
        }

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

    /// <summary>Polls <paramref name="condition"/> until it holds; fails the test after <paramref name="timeout"/>.</summary>
    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0}s waiting until {what}.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static string ConnectionString(IConfiguration configuration) =>
        configuration[ConnectionStringKey] ?? throw new InvalidOperationException($"{ConnectionStringKey} is not configured.");

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.UsePostgres(ConnectionString(siloBuilder.Configuration));
            // Test silos only: lets a reminder tick every second so restart tests stay short.
            siloBuilder.Configure<ReminderOptions>(options => options.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
        }
    }

    private sealed class BillingSiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.Services.Configure<BillingOptions>(o => o.RetryInterval = TimeSpan.FromSeconds(1));
            siloBuilder.Services.AddKeyedSingleton<TimeProvider>(BillingClock.Key, BillingDoubles.Clock);
            siloBuilder.Services.AddTenantBillingGrainServices(new ConfigurationBuilder().Build());
            siloBuilder.AddIncomingGrainCallFilter(new StripeInvoiceDouble(BillingDoubles.HandOvers));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.UsePostgres(ConnectionString(configuration));
    }
}

/// <summary>The identity of a test cluster: membership is keyed by ClusterId, state and reminders by ServiceId.</summary>
public sealed record ClusterIds(string ClusterId, string ServiceId)
{
    /// <summary>Fresh ids for one test.</summary>
    public static ClusterIds New(string testName) =>
        new($"{testName}-{Guid.NewGuid():N}", $"{testName}-svc-{Guid.NewGuid():N}");
}
