using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using TenantBilling.Grains;

namespace TenantBilling.Silo.Hosting;

/// <summary>
/// Picks the cluster's providers from configuration. With a connection string "Orleans" the silo
/// keeps membership, grain state and reminders in PostgreSQL; without one it runs alone with
/// in-memory providers (the embedded default: everything is lost when the process stops).
/// </summary>
public static class TenantBillingHosting
{
    public const string ConnectionStringName = "Orleans";

    public static string? PostgresConnectionString(this IConfiguration configuration) =>
        configuration.GetConnectionString(ConnectionStringName) is { Length: > 0 } value ? value : null;

    public static ClusterSettings ClusterSettings(this IConfiguration configuration) =>
        configuration.GetSection(Hosting.ClusterSettings.Section).Get<ClusterSettings>() ?? new ClusterSettings();

    /// <summary>Applies the PostgreSQL schema when the configuration asks for PostgreSQL; call before the host starts.</summary>
    public static async Task PrepareStorageAsync(IConfiguration configuration, CancellationToken cancellationToken = default)
    {
        if (configuration.PostgresConnectionString() is { } connectionString && configuration.ClusterSettings().ApplySchema)
        {
            await PostgresSchema.ApplyAsync(connectionString, cancellationToken);
        }
    }

    /// <summary>Configures a silo of the billing cluster.</summary>
    public static ISiloBuilder AddTenantBillingSilo(this ISiloBuilder silo, IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = configuration.ClusterSettings();
        silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });

        if (configuration.PostgresConnectionString() is { } connectionString)
        {
            var address = settings.AdvertisedIPAddress is { } ip ? IPAddress.Parse(ip) : IPAddress.Loopback;
            silo.ConfigureEndpoints(address, settings.SiloPort, settings.GatewayPort, listenOnAnyHostAddress: settings.AdvertisedIPAddress is not null);
            silo.UsePostgres(connectionString);
        }
        else
        {
            silo.UseLocalhostClustering(settings.SiloPort, settings.GatewayPort, serviceId: settings.ServiceId, clusterId: settings.ClusterId);
            silo.AddMemoryGrainStorage(StorageNames.Billing);
            silo.UseInMemoryReminderService();
        }

        silo.Services.AddTenantBillingGrainServices(configuration, environment);
        return silo;
    }

    /// <summary>Configures an Orleans client of a separately hosted cluster.</summary>
    public static IClientBuilder AddTenantBillingClient(this IClientBuilder client, IConfiguration configuration)
    {
        var settings = configuration.ClusterSettings();
        client.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });

        if (configuration.PostgresConnectionString() is { } connectionString)
        {
            client.UsePostgres(connectionString);
        }
        else
        {
            client.UseLocalhostClustering(settings.GatewayPort, settings.ServiceId, settings.ClusterId);
        }

        return client;
    }

    /// <summary>The services the grains depend on: clock, options, reference data, integrations.</summary>
    public static IServiceCollection AddTenantBillingGrainServices(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        var testMode = configuration.GetSection(TestModeOptions.Section).Get<TestModeOptions>() ?? new TestModeOptions();
        if (testMode.Enabled && environment.IsProduction())
        {
            throw new InvalidOperationException("Test mode (TestMode:Enabled) is refused in the Production environment.");
        }

        if (testMode.Enabled)
        {
            services.AddSingleton(new TestClock(TimeProvider.System));
            services.AddSingleton<TimeProvider>(sp => sp.GetRequiredService<TestClock>());
        }
        else
        {
            services.AddSingleton(TimeProvider.System);
        }

        services.AddOptions<BillingOptions>().BindConfiguration(BillingOptions.Section).ValidateOnStart();
        return services;
    }
}
