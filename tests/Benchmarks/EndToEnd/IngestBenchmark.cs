using System.Diagnostics;

namespace TenantBilling.Benchmarks.EndToEnd;

/// <summary>
/// Issue 3: a month-close of 1,000 accounts × 100 tenants (with validated addresses and profiles)
/// delivered through <c>POST /v1/statements/batch</c> to the API running as its own process, in-memory and
/// on PostgreSQL. Prints statements/s, the time until all are scheduled, the API process's peak RSS and,
/// on PostgreSQL, the raw grain-state write rate of the same server measured in the same run.
/// "Scheduled" is read from the batch's own result lines: the tenant grain answers only after it has
/// written its state and registered the invoice reminder, so a 201 with <c>scheduledFor</c> proves it;
/// every tenant's next invoice is then checked through the tenant list (timed apart).
/// Usage: <c>ingest [--accounts 1000] [--tenants 100] [--store memory|postgres|both] [--postgres CS] [--batches 1] [--setup-concurrency 64]
/// [--compare OTHER/TenantBilling.Api.dll] [--attribute true]</c>: <c>--compare</c> runs another build first ("before") and
/// this one after it, each measured against its own raw write rate, and prints both.
/// </summary>
internal sealed class IngestBenchmark : IBenchmark
{
    private const double TargetInMemoryPerSecond = 10_000;
    private const double TargetShareOfRawWrites = 0.60;
    private const double TargetPeakRssBytes = 1.5 * 1024 * 1024 * 1024;
    private const double Mb = 1024 * 1024;

    /// <summary>Batch lines the API processes at once (StatementsApi.BatchConcurrency): the raw writes run at the same concurrency.</summary>
    private const int ProductConcurrency = 256;

    private static readonly string[] WrittenTables = ["orleans_storage", "orleans_reminders", "orleans_membership"];

    public string Name => "ingest";

    public string Description => "100,000 statements through the NDJSON batch endpoint, in-memory and on PostgreSQL (targets >= 10,000/s; >= 60% of raw writes; RSS <= 1.5 GB)";

    public async Task RunAsync(IReadOnlyList<string> args)
    {
        var options = new Options(args);
        var shape = new FleetShape("ingest", options.Int("accounts", 1_000), options.Int("tenants", 100));
        var batches = options.Int("batches", 1);
        var setupConcurrency = options.Int("setup-concurrency", 64);
        Machine.PrintHeader();
        var summary = new List<string>();
        foreach (var store in options.Stores())
        {
            foreach (var (label, dll, environment) in options.ApiBuilds())
            {
                summary.Add(await RunOnceAsync(store, label, dll, options.Postgres, shape, batches, setupConcurrency, environment, options.Attribute));
            }
        }

        Console.WriteLine();
        Console.WriteLine("## summary");
        summary.ForEach(Console.WriteLine);
    }

    private static async Task<string> RunOnceAsync(
        string store, string label, string dll, string? server, FleetShape shape, int batches, int setupConcurrency,
        IReadOnlyDictionary<string, string> apiEnvironment, bool attribute)
    {
        Console.WriteLine();
        Console.WriteLine($"## {store}, {label} ({dll}): {shape.Accounts:N0} accounts × {shape.TenantsPerAccount:N0} tenants = {shape.Tenants:N0} statements in {batches} batch request(s)");
        await using var database = store == "postgres" ? await PostgresDatabase.CreateAsync(server!, "ingest") : null;
        if (database is not null)
        {
            Console.WriteLine($"PostgreSQL {await database.ServerVersionAsync()}, fresh database {database.Name}");
        }

        var api = await ApiProcess.StartAsync(new ApiProcess.Settings($"ingest-{store}", database?.ConnectionString, null, apiEnvironment, dll));
        var apiStopped = false;
        try
        {
            Console.WriteLine($"API process {api.Id} (Release, co-hosted silo{Extra(apiEnvironment)}), log {api.LogPath}");
            using var client = new BillingApi(api.BaseAddress, Math.Max(setupConcurrency, batches));
            await Fleet.SetUpAsync(client, shape, setupConcurrency);
            Console.WriteLine($"API RSS after setup: {api.RssBytes / Mb:N0} MB (peak {api.PeakRssBytes / Mb:N0} MB), load average {Machine.LoadAverage()}");

            var attribution = database is null ? null : await WriteAttribution.CreateAsync(database, attribute);

            // Statistics reach pg_stat when back ends go idle (at most every 10 s): let setup's arrive first.
            var before = database is null ? null : await SettledWriteCountsAsync(database);
            if (attribution is not null)
            {
                await attribution.StartAsync();
            }

            var memory = new MemorySampler(api);
            var postmaster = database is null ? null : await database.PostmasterPidAsync();
            var cpu = new CpuWindow(api, postmaster);
            var clock = Stopwatch.StartNew();
            var runs = await Task.WhenAll(Enumerable.Range(0, batches).Select(b =>
            {
                var from = shape.Accounts * b / batches;
                var to = shape.Accounts * (b + 1) / batches;
                return client.PostBatchAsync(writer => Fleet.WriteStatementsAsync(writer, shape, from..to));
            }));
            var elapsed = clock.Elapsed;
            var usage = cpu.Stop();
            var peakDuringIngest = api.PeakRssBytes;
            await memory.DisposeAsync();

            var results = runs.SelectMany(r => r.Lines).Select(BillingApi.ParseResult).ToList();
            var scheduledLines = results.Count(r => r.Status == 201 && r.ScheduledFor == Calendar.DueAt);
            var failed = results.Where(r => r.Status != 201).ToList();
            var rate = shape.Tenants / elapsed.TotalSeconds;
            Console.WriteLine($"ingest: {results.Count:N0} result lines in {elapsed.TotalSeconds:F2} s (first result after {runs.Min(r => r.FirstResultAt).TotalMilliseconds:F0} ms)");
            Console.WriteLine($"  {rate:N0} statements/s, {rate / Environment.ProcessorCount:N0} statements/s per core ({Environment.ProcessorCount} cores)");
            Console.WriteLine($"  time until all are scheduled (last result line, each 201 with scheduledFor {Calendar.DueAt:u}): {elapsed.TotalSeconds:F2} s; {scheduledLines:N0} scheduled, {failed.Count:N0} not");
            foreach (var group in failed.GroupBy(r => (r.Status, r.Error)).Take(5))
            {
                Console.WriteLine($"  ! {group.Count():N0} × {group.Key.Status} {group.Key.Error}");
            }

            Console.WriteLine($"  {usage.Describe()}");
            Console.WriteLine($"  API CPU per statement {usage.Api.TotalMilliseconds * 1000 / shape.Tenants:F0} µs; API threads up to {memory.MaxThreads}");
            Console.WriteLine($"  API RSS: peak {peakDuringIngest / Mb:N0} MB (VmHWM, setup included), now {api.RssBytes / Mb:N0} MB; target <= {TargetPeakRssBytes / Mb:N0} MB: {Verdict(peakDuringIngest <= TargetPeakRssBytes)}");

            var verify = Stopwatch.StartNew();
            var (scheduled, other) = await Fleet.CountScheduledAsync(client, shape, 16);
            Console.WriteLine($"check through GET …/tenants: {scheduled:N0} tenants show next invoice {Calendar.Period} due {Calendar.DueAt:u}, {other:N0} do not ({verify.Elapsed.TotalSeconds:F1} s)");

            if (database is null)
            {
                Console.WriteLine($"target in-memory >= {TargetInMemoryPerSecond:N0} statements/s: {Verdict(rate >= TargetInMemoryPerSecond && scheduled == shape.Tenants)}");
                return $"{store}, {label}: {rate:N0} statements/s, {scheduled:N0} of {shape.Tenants:N0} scheduled, API CPU {usage.Api.TotalMilliseconds * 1000 / shape.Tenants:F0} µs/statement";
            }

            var after = await SettledWriteCountsAsync(database);
            Console.WriteLine($"PostgreSQL writes during the ingest (pg_stat, rows): {Describe(before!, after, shape.Tenants)}");
            await attribution!.PrintAsync(shape.Tenants, "statement");
            var (payloadBytes, tenantRows) = await database.PayloadSizeAsync("tenant");
            Console.WriteLine($"tenant state rows: {tenantRows:N0}, payload {payloadBytes:N0} bytes on average");
            await api.DisposeAsync();
            apiStopped = true;

            Console.WriteLine($"raw grain-state writes (API stopped; WriteToStorageKey, {ProductConcurrency} writers, same connection string and pool), load average {Machine.LoadAverage()}:");
            var raw = await RawStateWrites.MeasureAsync(database.ConnectionString, "tenant", (int)Math.Round(payloadBytes), shape.Tenants, ProductConcurrency, postmaster);
            Console.WriteLine($"  {raw.Rows:N0} rows of {raw.PayloadBytes} bytes: inserts {raw.InsertsPerSecond:N0}/s, updates with ETag {raw.UpdatesPerSecond:N0}/s");
            Console.WriteLine($"  updates: {raw.Updates.Describe()}; per row: PostgreSQL {raw.Updates.Postgres.TotalMilliseconds * 1000 / raw.Rows:F0} µs, writers {raw.Updates.Benchmark.TotalMilliseconds * 1000 / raw.Rows:F0} µs");
            Console.WriteLine($"  ingest per statement: PostgreSQL {usage.Postgres.TotalMilliseconds * 1000 / shape.Tenants:F0} µs, API {usage.Api.TotalMilliseconds * 1000 / shape.Tenants:F0} µs");
            var share = rate / raw.UpdatesPerSecond;
            Console.WriteLine($"  product / raw update rate = {rate:N0} / {raw.UpdatesPerSecond:N0} = {share:P0}; target >= {TargetShareOfRawWrites:P0}: {Verdict(share >= TargetShareOfRawWrites && scheduled == shape.Tenants)}");
            return $"{store}, {label}: {rate:N0} statements/s = {share:P0} of the raw update rate {raw.UpdatesPerSecond:N0}/s; {scheduled:N0} of {shape.Tenants:N0} scheduled; " +
                $"rows/statement {string.Join(", ", WrittenTables.Select(t => $"{t} {(double)(after.Rows(t) - before!.Rows(t)) / shape.Tenants:F2}"))}; " +
                $"API CPU {usage.Api.TotalMilliseconds * 1000 / shape.Tenants:F0} µs/statement; {usage.Describe()}";
        }
        finally
        {
            if (!apiStopped)
            {
                await api.DisposeAsync();
            }
        }
    }

    private static string Describe(PostgresDatabase.WriteCounts before, PostgresDatabase.WriteCounts after, int statements)
    {
        var parts = WrittenTables
            .Select(table => (table, rows: after.Rows(table) - before.Rows(table)))
            .Select(t => $"{t.table} {t.rows:N0} ({(double)t.rows / statements:F2}/statement)");
        var commits = after.Commits - before.Commits;
        return $"{string.Join(", ", parts)}; {commits:N0} commits ({(double)commits / statements:F2}/statement)";
    }

    private static async Task<PostgresDatabase.WriteCounts> SettledWriteCountsAsync(PostgresDatabase database)
    {
        await Task.Delay(TimeSpan.FromSeconds(11));
        return await database.WriteCountsAsync();
    }

    private static string Extra(IReadOnlyDictionary<string, string> environment) =>
        environment.Count == 0 ? string.Empty : ", " + string.Join(", ", environment.Select(e => $"{e.Key}={e.Value}"));

    private static string Verdict(bool met) => met ? "met" : "MISSED";
}
