using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Serialization;
using Orleans.Storage;
using TenantBilling.Grains;

namespace TenantBilling.Silo.Hosting;

/// <summary>Runs Orleans on PostgreSQL through the ADO.NET providers and our own schema.</summary>
public static class PostgresHosting
{
    /// <summary>ADO.NET invariant name under which the Orleans providers load Npgsql.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>
    /// Uses PostgreSQL for cluster membership, for the <see cref="StorageNames.Billing"/> grain storage and
    /// for reminders, and applies <see cref="PostgresSchema"/> when the silo starts.
    /// </summary>
    /// <remarks>
    /// Grain state is written with the Orleans binary serializer rather than the provider's default JSON:
    /// every state type is <c>[GenerateSerializer]</c>, and its <c>[Id]</c>s keep stored state readable as
    /// the types evolve.
    /// </remarks>
    /// <param name="silo">The silo to configure.</param>
    /// <param name="connectionString">Npgsql connection string of the Orleans database.</param>
    public static ISiloBuilder UsePostgres(this ISiloBuilder silo, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(services =>
            new PostgresSchemaInstaller(connectionString, services.GetRequiredService<ILogger<PostgresSchemaInstaller>>()));

        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });

        silo.AddAdoNetGrainStorage(StorageNames.Billing, options => options.Configure<Serializer>((storage, serializer) =>
        {
            storage.Invariant = Invariant;
            storage.ConnectionString = connectionString;
            storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
        }));

        silo.UseAdoNetReminderService(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });

        return silo;
    }

    /// <summary>Finds the gateways of a PostgreSQL-backed cluster in its membership table.</summary>
    /// <param name="client">The client to configure.</param>
    /// <param name="connectionString">Npgsql connection string of the Orleans database.</param>
    public static IClientBuilder UsePostgres(this IClientBuilder client, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        return client.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
    }
}
