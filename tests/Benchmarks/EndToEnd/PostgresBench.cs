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

    /// <summary>The server's postmaster process id (the parent of the back end serving us), for its CPU time; null when it is not on this machine.</summary>
    public async Task<int?> PostmasterPidAsync()
    {
        var backend = Convert.ToInt32(await ScalarAsync("SELECT pg_backend_pid()"), CultureInfo.InvariantCulture);
        var parent = ProcessCpu.ParentOf(backend);
        return parent > 1 ? parent : null;
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

    /// <summary>
    /// Grain-state writes so far per grain type: the sum of the rows' versions (the ADO.NET provider inserts
    /// a row at version 1 and adds one on every update or clear, and never deletes one), so the difference of
    /// two readings is the exact number of writes in between, at no cost to PostgreSQL.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, long>> StateWritesByGrainTypeAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT grain_type_string, sum(version)::bigint FROM orleans_storage GROUP BY grain_type_string", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var writes = new Dictionary<string, long>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            writes[reader.GetString(0)] = reader.GetInt64(1);
        }

        return writes;
    }

    /// <summary>
    /// Logs every row inserted, updated or deleted in orleans_storage and orleans_reminders from now on (table,
    /// operation, grain type, reminder name) into bench_writes, by a trigger per row: exact attribution of the
    /// reminder rows, whose deletes leave no trace otherwise. It costs PostgreSQL CPU, so throughput is read
    /// from runs without it.
    /// </summary>
    public async Task InstallWriteLogAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            CREATE UNLOGGED TABLE IF NOT EXISTS bench_writes (tbl text, op text, grain_type text, reminder text);
            CREATE OR REPLACE FUNCTION bench_log_write() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_TABLE_NAME = 'orleans_storage' THEN
                    INSERT INTO bench_writes VALUES (TG_TABLE_NAME, TG_OP, COALESCE(NEW.grain_type_string, OLD.grain_type_string), NULL);
                ELSE
                    INSERT INTO bench_writes VALUES (TG_TABLE_NAME, TG_OP,
                        split_part(COALESCE(NEW.grain_id, OLD.grain_id), '/', 1), COALESCE(NEW.reminder_name, OLD.reminder_name));
                END IF;
                RETURN NULL;
            END $$;
            DROP TRIGGER IF EXISTS bench_log_storage ON orleans_storage;
            DROP TRIGGER IF EXISTS bench_log_reminders ON orleans_reminders;
            CREATE TRIGGER bench_log_storage AFTER INSERT OR UPDATE OR DELETE ON orleans_storage FOR EACH ROW EXECUTE FUNCTION bench_log_write();
            CREATE TRIGGER bench_log_reminders AFTER INSERT OR UPDATE OR DELETE ON orleans_reminders FOR EACH ROW EXECUTE FUNCTION bench_log_write();
            TRUNCATE bench_writes;
            """, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Empties the write log (the window starts).</summary>
    public async Task ClearWriteLogAsync() => await ScalarAsync("TRUNCATE bench_writes");

    /// <summary>The logged rows, grouped: "orleans_reminders tenant invoice-due INSERT" → count.</summary>
    public async Task<IReadOnlyList<(string What, long Rows)>> LoggedWritesAsync()
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            "SELECT tbl, grain_type, coalesce(reminder, ''), op, count(*) FROM bench_writes GROUP BY 1, 2, 3, 4 ORDER BY 1 DESC, 5 DESC", connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<(string, long)>();
        while (await reader.ReadAsync())
        {
            var reminder = reader.GetString(2);
            rows.Add(($"{reader.GetString(0)} {reader.GetString(1)}{(reminder.Length > 0 ? $" '{reminder}'" : string.Empty)} {reader.GetString(3).ToLowerInvariant()}", reader.GetInt64(4)));
        }

        return rows;
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
    public sealed record Rates(double InsertsPerSecond, double UpdatesPerSecond, int Rows, int Concurrency, int PayloadBytes, CpuWindow.Result Updates);

    public static async Task<Rates> MeasureAsync(string connectionString, string grainType, int payloadBytes, int rows, int concurrency, int? postmaster = null)
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
        var cpu = new CpuWindow(null, postmaster);
        var updates = await RunAsync(connectionString, sql, serviceId, grainType, payloads, rows, concurrency, version: 1);
        return new Rates(rows / inserts.TotalSeconds, rows / updates.TotalSeconds, rows, concurrency, payloadBytes, cpu.Stop());
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

/// <summary>Where the rows of a measured window came from: grain-state writes per grain type, and with the write log every row by table, grain type and reminder.</summary>
internal sealed class WriteAttribution
{
    private readonly PostgresDatabase _database;
    private readonly bool _logged;
    private IReadOnlyDictionary<string, long> _before = new Dictionary<string, long>();

    private WriteAttribution(PostgresDatabase database, bool logged)
    {
        _database = database;
        _logged = logged;
    }

    /// <summary>Installs the write log when asked (<c>--attribute true</c>); call <see cref="StartAsync"/> when the window opens.</summary>
    public static async Task<WriteAttribution> CreateAsync(PostgresDatabase database, bool logged)
    {
        if (logged)
        {
            await database.InstallWriteLogAsync();
        }

        return new WriteAttribution(database, logged);
    }

    public async Task StartAsync()
    {
        _before = await _database.StateWritesByGrainTypeAsync();
        if (_logged)
        {
            await _database.ClearWriteLogAsync();
        }
    }

    /// <summary>Prints the window's writes per <paramref name="unit"/> (e.g. per statement), most first.</summary>
    public async Task PrintAsync(int units, string unit)
    {
        var after = await _database.StateWritesByGrainTypeAsync();
        var byType = after
            .Select(t => (Type: t.Key, Writes: t.Value - _before.GetValueOrDefault(t.Key)))
            .Where(t => t.Writes > 0)
            .OrderByDescending(t => t.Writes)
            .ToList();
        Console.WriteLine($"  grain-state writes per {unit} by grain type (orleans_storage versions): " +
            $"{string.Join(", ", byType.Select(t => $"{t.Type} {(double)t.Writes / units:F2}"))}; total {(double)byType.Sum(t => t.Writes) / units:F2}");
        if (_logged)
        {
            Console.WriteLine($"  every row written per {unit} (write log):");
            foreach (var (what, rows) in await _database.LoggedWritesAsync())
            {
                Console.WriteLine($"    {what}: {rows:N0} ({(double)rows / units:F3}/{unit})");
            }
        }
    }
}
