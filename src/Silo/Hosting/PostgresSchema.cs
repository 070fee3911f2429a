using Npgsql;

namespace TenantBilling.Silo.Hosting;

/// <summary>
/// Applies the PostgreSQL schema that the Orleans ADO.NET clustering, grain storage and reminder
/// providers need (tables plus the <c>OrleansQuery</c> statements), shipped as Sql/postgresql.sql.
/// </summary>
public static class PostgresSchema
{
    private const string ResourceName = "TenantBilling.Silo.Sql.postgresql.sql";

    private static readonly Lazy<string> LazyScript = new(LoadScript);

    /// <summary>The schema script; the same text an operator can run with <c>psql -f</c>.</summary>
    internal static string Script => LazyScript.Value;

    /// <summary>
    /// Creates missing tables and indexes and upserts every <c>OrleansQuery</c> row, in one transaction.
    /// Idempotent, never drops data, and safe to call from several silos at once (the script takes an
    /// advisory lock).
    /// </summary>
    /// <param name="connectionString">Npgsql connection string of the database to prepare.</param>
    /// <param name="cancellationToken">Cancels the connection attempt or the script.</param>
    public static async Task ApplyAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand(Script, connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private static string LoadScript()
    {
        using var stream = typeof(PostgresSchema).Assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException($"Embedded resource {ResourceName} is missing from {typeof(PostgresSchema).Assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
