using Npgsql;
using TenantBilling.Silo.Hosting;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// A fresh database with our schema on the PostgreSQL server that ./test.sh starts. Every database it
/// creates has a unique name and is dropped when the run ends.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    /// <summary>Environment variable holding the Npgsql connection string of the test server.</summary>
    public const string ServerVariable = "TENANTBILLING_TEST_POSTGRES";

    private readonly List<string> createdDatabases = [];
    private string serverConnectionString = "";

    /// <summary>Connection string of the shared test database, schema applied.</summary>
    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        serverConnectionString = Environment.GetEnvironmentVariable(ServerVariable) ?? "";
        if (string.IsNullOrWhiteSpace(serverConnectionString))
        {
            throw new InvalidOperationException(
                $"{ServerVariable} is not set. The integration tests need a real PostgreSQL server: run ./test.sh " +
                "from the repository root (it starts a throwaway server and sets the variable).");
        }

        ConnectionString = await CreateDatabaseAsync();
        await PostgresSchema.ApplyAsync(ConnectionString);
    }

    /// <summary>Creates an empty database with a unique name and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"tenantbilling_it_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        createdDatabases.Add(name);
        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (createdDatabases.Count == 0)
        {
            return;
        }

        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(serverConnectionString);
        await connection.OpenAsync();
        foreach (var name in createdDatabases)
        {
            await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {name} WITH (FORCE)", connection);
            await command.ExecuteNonQueryAsync();
        }
    }
}

/// <summary>Tests that share one <see cref="PostgresFixture"/>; they run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresTestGroup : ICollectionFixture<PostgresFixture>
{
    public const string Name = "postgres";
}

/// <summary>Tests that run the product as separate processes; they run one after another, beside the other group.</summary>
[CollectionDefinition(Name)]
public sealed class ProcessTestGroup : ICollectionFixture<PostgresFixture>
{
    public const string Name = "processes";
}
