using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace TenantBilling.Benchmarks.EndToEnd;

/// <summary>A fresh database per run on the given server, dropped afterwards (the silo applies the schema itself).</summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly string _server;

    private PostgresDatabase(string server, string name, string connectionString)
    {
        _server = server;
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<PostgresDatabase> CreateAsync(string serverConnectionString, string purpose)
    {
        var name = $"bench_{purpose}_{DateTime.UtcNow:yyyyMMddHHmmss}_{Environment.ProcessId}";
        await using (var connection = new NpgsqlConnection(serverConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name };
        return new PostgresDatabase(serverConnectionString, name, builder.ConnectionString);
    }

    public async Task<string> ServerVersionAsync() => (string)(await ScalarAsync("SHOW server_version"))!;

    public async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync();
    }

    /// <summary>Rows written (inserted + updated + deleted) per table and committed transactions, from pg_stat.</summary>
    public async Task<WriteCounts> WriteCountsAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        var tables = new Dictionary<string, long>(StringComparer.Ordinal);
        await using (var command = new NpgsqlCommand("SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_user_tables", connection))
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                tables[reader.GetString(0)] = reader.GetInt64(1);
            }
        }

        await using var commits = new NpgsqlCommand("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
        return new WriteCounts(tables, (long)(await commits.ExecuteScalarAsync())!);
    }

    /// <summary>Average size of the stored state of one grain type, and how many rows it has.</summary>
    public async Task<(double Bytes, long Rows)> PayloadSizeAsync(string grainType)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT coalesce(avg(length(payload_binary)), 0)::float8, count(*) FROM orleans_storage WHERE grain_type_string = @type", connection);
        command.Parameters.AddWithValue("type", grainType);
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetDouble(0), reader.GetInt64(1));
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }

    public sealed record WriteCounts(IReadOnlyDictionary<string, long> RowsByTable, long Commits)
    {
        public long Rows(string table) => RowsByTable.GetValueOrDefault(table);
    }
}

/// <summary>
/// The raw rate at which this PostgreSQL accepts grain-state writes like ours: the product's own
/// <c>WriteToStorageKey</c> statement, read from <c>OrleansQuery</c>, with named parameters and one pooled
/// connection per write as the Orleans ADO.NET provider does, rows of the measured payload size, at the
/// product's concurrency and through a pool of the same size. First each row is inserted (no ETag), then
/// each is updated once with its ETag (the path of a statement reaching an existing tenant).
/// </summary>
internal static class RawStateWrites
{
    public sealed record Rates(double InsertsPerSecond, double UpdatesPerSecond, int Rows, int Concurrency, int PayloadBytes);

    public static async Task<Rates> MeasureAsync(string connectionString, string grainType, int payloadBytes, int rows, int concurrency)
    {
        string sql;
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await using var query = new NpgsqlCommand("SELECT querytext FROM orleansquery WHERE querykey = 'WriteToStorageKey'", connection);
            sql = (string)(await query.ExecuteScalarAsync())!;
        }

        var serviceId = $"raw-write-bench-{Environment.ProcessId}-{DateTime.UtcNow.Ticks}";
        var random = new Random(20261125);
        var payloads = Enumerable.Range(0, 64).Select(_ =>
        {
            var bytes = new byte[payloadBytes];
            random.NextBytes(bytes);
            return bytes;
        }).ToArray();

        var inserts = await RunAsync(connectionString, sql, serviceId, grainType, payloads, rows, concurrency, version: null);
        var updates = await RunAsync(connectionString, sql, serviceId, grainType, payloads, rows, concurrency, version: 1);
        return new Rates(rows / inserts.TotalSeconds, rows / updates.TotalSeconds, rows, concurrency, payloadBytes);
    }

    private static async Task<TimeSpan> RunAsync(
        string connectionString, string sql, string serviceId, string grainType, byte[][] payloads, int rows, int concurrency, int? version)
    {
        var next = -1;
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int row;
            while ((row = Interlocked.Increment(ref next)) < rows)
            {
                await using var connection = new NpgsqlConnection(connectionString);
                await connection.OpenAsync();
                await using var command = new NpgsqlCommand(sql, connection);
                command.Parameters.AddWithValue("GrainIdHash", unchecked((int)((uint)row * 2654435761u)));
                command.Parameters.AddWithValue("GrainTypeHash", grainType.GetHashCode(StringComparison.Ordinal));
                command.Parameters.AddWithValue("ServiceId", serviceId);
                command.Parameters.AddWithValue("GrainTypeString", grainType);
                command.Parameters.AddWithValue("GrainIdN0", 0L);
                command.Parameters.AddWithValue("GrainIdN1", 0L);
                command.Parameters.AddWithValue("GrainIdExtensionString", string.Create(CultureInfo.InvariantCulture, $"raw-{row:D7}/t-{row % 100:D4}"));
                command.Parameters.AddWithValue("PayloadBinary", payloads[row % payloads.Length]);
                command.Parameters.Add(new NpgsqlParameter("GrainStateVersion", NpgsqlTypes.NpgsqlDbType.Integer) { Value = (object?)version ?? DBNull.Value });
                if (await command.ExecuteScalarAsync() is not int)
                {
                    Interlocked.Increment(ref failures);
                }
            }
        })));

        if (failures > 0)
        {
            throw new InvalidOperationException($"{failures} raw writes returned no new version.");
        }

        return clock.Elapsed;
    }
}
