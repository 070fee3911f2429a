using System.Net;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TenantBilling.Grains;
using TenantBilling.Grains.Invoices;
using TenantBilling.Grains.Domain.Addresses;
using TenantBilling.Grains.Hosting;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Telemetry;
using TenantBilling.Silo.Telemetry;
using Microsoft.Extensions.Options;

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

    /// <summary>Configures a silo of the billing cluster.</summary>
    public static ISiloBuilder AddTenantBillingSilo(this ISiloBuilder silo, IConfiguration configuration, IHostEnvironment environment)
    {
        var settings = configuration.ClusterSettings();
        silo.Configure<Orleans.Configuration.ClusterOptions>(o =>
        {
            o.ClusterId = settings.ClusterId;
            o.ServiceId = settings.ServiceId;
        });
        silo.UseBillingClusterTuning(configuration);

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

        if (configuration.GetValue<bool>($"{TestModeOptions.Section}:Enabled") && environment.IsProduction())
        {
            throw new InvalidOperationException("Test mode (TestMode:Enabled) is refused in the Production environment.");
        }

        silo.AddTenantBillingSiloTelemetry(configuration);
        silo.Services.AddTenantBillingGrainServices(configuration);
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
        client.UseBillingClusterTuning(configuration);

        if (configuration.PostgresConnectionString() is { } connectionString)
        {
            client.UsePostgres(connectionString);
        }
        else
        {
            client.UseLocalhostClustering(settings.GatewayPort, settings.ServiceId, settings.ClusterId);
        }

        client.AddTenantBillingClientTelemetry(configuration);
        return client;
    }

    /// <summary>The services the grains depend on: clock, options, reference data, integrations.</summary>
    /// <remarks>Registrations made before this call win (tests put their own clock and tax provider first).</remarks>
    public static IServiceCollection AddTenantBillingGrainServices(this IServiceCollection services, IConfiguration configuration)
    {
        var testMode = configuration.GetSection(TestModeOptions.Section).Get<TestModeOptions>() ?? new TestModeOptions();
        if (testMode.Enabled)
        {
            services.AddClusterTestClock(readStoredAtStart: configuration.PostgresConnectionString() is not null);
        }
        else
        {
            services.TryAddKeyedSingleton(BillingClock.Key, TimeProvider.System);
        }

        services.AddOptions<BillingOptions>().BindConfiguration(BillingOptions.Section).ValidateOnStart();

        // Reference data loads at start-up, so a malformed tax table stops the silo with its line and column.
        services.AddSingleton(ZipDirectory.LoadEmbedded());
        services.AddSingleton<AddressValidator>();
        var taxTable = configuration.GetSection(TaxTableOptions.SectionName).Get<TaxTableOptions>() ?? new TaxTableOptions();
        services.AddSingleton(TaxRateTableLoader.Load(taxTable));
        services.TryAddSingleton<ITaxProvider, RateTableTaxProvider>();

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<IIncomingGrainCallFilter, DropActivationOnFailure>();
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, InvoiceRunsResumer>();
        services.AddOptions<StripeOptions>().BindConfiguration(StripeOptions.Section)
            .PostConfigure<IServiceProvider>((o, sp) => o.Mode ??= sp.GetService<IHostEnvironment>()?.IsProduction() == true ? StripeMode.Live : StripeMode.Test);
        services.AddHttpClient(StripeGateway.HttpClientName, (sp, http) => http.Timeout = sp.GetRequiredService<IOptions<StripeOptions>>().Value.RequestTimeout);
        services.TryAddSingleton<SecretProtector>();
        services.TryAddSingleton<StripeAccountClient>();
        services.TryAddSingleton<IStripeGateway, StripeGateway>();
        services.TryAddSingleton<TenantBilling.Grains.Corrections.IStripeCorrectionGateway, TenantBilling.Grains.Corrections.StripeCorrectionGateway>();
        services.AddBillingTelemetry();
        services.AddBillingOptionsValidation();
        return services;
    }
}
