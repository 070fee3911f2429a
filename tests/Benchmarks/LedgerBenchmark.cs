using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;
using TenantBilling.Benchmarks.EndToEnd;
using TenantBilling.Grains;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Silo.Hosting;

namespace TenantBilling.Benchmarks;

/// <summary>
/// One account's month in the ledger with 10,000 invoices: each finalized invoice records its taxes (eight tax
/// lines, as an Austin invoice has) and one in twenty a phantom fee, 64 invoices at a time, through
/// <see cref="IAccountLedgerGrain"/> on one in-process silo. Every grain-state write is measured as it goes to
/// storage (grain type, serialized size), so what an append costs as the month fills is visible: rows and
/// bytes per append, first and last thousand apart. Then the month is read back whole, after a deactivation.
/// Usage: <c>ledger [--invoices 10000] [--concurrency 64] [--store memory|postgres|both] [--postgres CS]</c>.
/// </summary>
internal sealed class LedgerBenchmark : IBenchmark
{
    private const double Kb = 1024;

    public string Name => "ledger";

    public string Description => "one account's month, 10,000 invoices' taxes and fees recorded 64 at a time: rows and bytes written per append as the month fills";

    public async Task RunAsync(IReadOnlyList<string> args)
    {
        var options = new Options(args);
        var invoices = options.Int("invoices", 10_000);
        var concurrency = options.Int("concurrency", 64);
        Machine.PrintHeader();
        foreach (var store in options.Stores())
        {
            await RunOnceAsync(store, options.Postgres, invoices, concurrency);
        }
    }

    private static async Task RunOnceAsync(string store, string? server, int invoices, int concurrency)
    {
        Console.WriteLine();
        Console.WriteLine($"## {store}: {invoices:N0} invoices of one account in one month, {concurrency} at a time");
        await using var database = store == "postgres" ? await PostgresDatabase.CreateAsync(server!, "ledger") : null;
        if (database is not null)
        {
            await PostgresSchema.ApplyAsync(database.ConnectionString);
        }

        var writes = new WriteLog();
        var builder = new InProcessTestClusterBuilder(1);
        builder.Options.ConfigureFileLogging = false;
        builder.ConfigureSilo((_, silo) =>
        {
            if (database is null)
            {
                silo.AddMemoryGrainStorage(StorageNames.Billing);
            }
            else
            {
                silo.AddAdoNetGrainStorage(StorageNames.Billing, o => o.Configure<Serializer>((storage, serializer) =>
                {
                    storage.Invariant = PostgresHosting.Invariant;
                    storage.ConnectionString = database.ConnectionString;
                    storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
                }));
            }

            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Billing, (sp, key) => new MeasuredStorage(
                database is null ? MemoryGrainStorageFactory.Create(sp, (string)key!) : AdoNetGrainStorageFactory.Create(sp, (string)key!),
                new OrleansGrainStorageSerializer(sp.GetRequiredService<Serializer>()), writes));
            silo.UseInMemoryReminderService();
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = TimeSpan.FromSeconds(1));
            silo.Services.Configure<BillingOptions>(o => o.RetryInterval = TimeSpan.FromSeconds(1));
            silo.Services.AddTenantBillingGrainServices(new ConfigurationBuilder().Build());
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        try
        {
            var ledger = cluster.Client.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger("ledger-bench", "2026-11"));
            var appendTimes = new ConcurrentBag<double>();
            var appends = 0;
            Console.WriteLine($"measuring, load average {Machine.LoadAverage()}");
            var clock = Stopwatch.StartNew();
            var marks = new ConcurrentDictionary<int, (int Writes, long Bytes)>();
            await Bounded.ForEachAsync(Enumerable.Range(0, invoices), concurrency, async i =>
            {
                var key = GrainKeys.MonthlyInvoice("ledger-bench", $"t-{i:D5}", "2026-10");
                var started = Stopwatch.GetTimestamp();
                await ledger.RecordTaxesAsync(new TaxReportEntry(key, $"t-{i:D5}", $"INV-{i:D6}", $"in_{i:D10}", Calendar.BillingDayAt, TaxLines, Voided: false));
                if (i % 20 == 0)
                {
                    await ledger.RecordPhantomFeeAsync(new PhantomFee(key, $"t-{i:D5}", 5m, 3.75m, Calendar.BillingDayAt, $"in_{i:D10}", $"INV-{i:D6}"));
                    Interlocked.Increment(ref appends);
                }

                appendTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                Interlocked.Increment(ref appends);
                if (i == 999 || i == invoices - 1000)
                {
                    marks[i] = writes.Totals();
                }
            });
            var elapsed = clock.Elapsed;
            var (totalWrites, totalBytes) = writes.Totals();
            Console.WriteLine($"{appends:N0} appends ({invoices:N0} tax entries, {invoices / 20:N0} fees) in {elapsed.TotalSeconds:F2} s: {appends / elapsed.TotalSeconds:N0} appends/s");
            Console.WriteLine($"  grain-state writes: {totalWrites:N0} ({(double)totalWrites / appends:F2} per append), {totalBytes / Kb / Kb:N1} MB ({totalBytes / Kb / appends:N1} KB per append)");
            foreach (var (type, count, bytes, largest) in writes.ByType())
            {
                Console.WriteLine($"    {type}: {count:N0} writes, {bytes / Kb / Kb:N1} MB, largest {largest / Kb:N1} KB");
            }

            if (marks.TryGetValue(999, out var first) && marks.TryGetValue(invoices - 1000, out var lastStart) && invoices >= 2000)
            {
                var lastBytes = totalBytes - lastStart.Bytes;
                var lastWrites = totalWrites - lastStart.Writes;
                Console.WriteLine($"  first 1,000 invoices: {first.Bytes / Kb / 1000:N1} KB written per invoice in {first.Writes:N0} writes; " +
                    $"last 1,000: {lastBytes / Kb / 1000:N1} KB per invoice in {lastWrites:N0} writes");
            }

            var times = appendTimes.Order().ToList();
            Console.WriteLine($"  one invoice's records: p50 {times[times.Count / 2]:F1} ms, p99 {times[(int)(times.Count * 0.99)]:F1} ms, max {times[^1]:F1} ms");

            await cluster.Client.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
            var read = Stopwatch.StartNew();
            var taxes = await ledger.ListTaxesAsync();
            var fees = await ledger.ListFeesAsync();
            Console.WriteLine($"  after a deactivation, the month reads back in {read.Elapsed.TotalMilliseconds:F0} ms: {taxes.Count:N0} tax entries, {fees.Count:N0} fees " +
                $"({(taxes.Select(t => t.InvoiceKey).Distinct().Count() == invoices && fees.Count == invoices / 20 ? "each once" : "NOT each once")})");
            var again = Stopwatch.StartNew();
            await ledger.RecordTaxesAsync(new TaxReportEntry(GrainKeys.MonthlyInvoice("ledger-bench", "t-00000", "2026-10"), "t-00000", "INV-000000", "in_0000000000", Calendar.BillingDayAt, TaxLines, false));
            Console.WriteLine($"  a repeated record after it: {again.Elapsed.TotalMilliseconds:F0} ms, {(await ledger.ListTaxesAsync()).Count:N0} tax entries (a repeat adds none)");
            if (database is not null)
            {
                var (payload, rows) = await database.PayloadSizeAsync("account-ledger");
                var (pagePayload, pageRows) = await database.PayloadSizeAsync("account-ledger-page");
                Console.WriteLine($"  stored: account-ledger {rows:N0} rows of {payload / Kb:N1} KB on average; account-ledger-page {pageRows:N0} rows of {pagePayload / Kb:N1} KB");
            }
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    /// <summary>The tax lines of an Austin invoice with taxes on: federal, state and local charges.</summary>
    private static readonly IReadOnlyList<InvoiceTaxLine> TaxLines =
    [
        new("US-FUSF", "Federal Universal Service Fund", TaxLevel.Federal, TaxClass.Federal, "US", 0.38m, null, 84.12m, null, 31.97m),
        new("US-TRS", "Telecommunications Relay Service", TaxLevel.Federal, TaxClass.Federal, "US", 0.01m, null, 84.12m, null, 0.84m),
        new("US-FCC-REG", "FCC Regulatory Fee", TaxLevel.Federal, TaxClass.Federal, "US", 0.0047m, null, 84.12m, null, 0.40m),
        new("TX-911", "Texas 911 Emergency Service Fee", TaxLevel.State, TaxClass.StateLocal, "TX", null, 0.50m, 0m, 8m, 4.00m),
        new("TX-USF", "Texas Universal Service Fund", TaxLevel.State, TaxClass.StateLocal, "TX", 0.033m, null, 129.60m, null, 4.28m),
        new("TX-PUC", "Texas PUC Assessment", TaxLevel.State, TaxClass.StateLocal, "TX", 0.00167m, null, 129.60m, null, 0.22m),
        new("TX-TRAVIS-911", "Travis County 911 Fee", TaxLevel.County, TaxClass.StateLocal, "TX-48453", null, 0.50m, 0m, 8m, 4.00m),
        new("TX-AUSTIN-ROW", "Austin Right-of-Way Fee", TaxLevel.Local, TaxClass.StateLocal, "TX-AUSTIN", null, 1.25m, 0m, 8m, 10.00m),
    ];

    /// <summary>Every write that reaches storage: grain type, serialized size.</summary>
    private sealed class WriteLog
    {
        private readonly ConcurrentQueue<(string Type, int Bytes)> _writes = new();

        public void Add(string type, int bytes) => _writes.Enqueue((type, bytes));

        public (int Writes, long Bytes) Totals()
        {
            var all = _writes.ToArray();
            return (all.Length, all.Sum(w => (long)w.Bytes));
        }

        public IEnumerable<(string Type, int Count, long Bytes, int Largest)> ByType() =>
            _writes.ToArray().GroupBy(w => w.Type).Select(g => (g.Key, g.Count(), g.Sum(w => (long)w.Bytes), g.Max(w => w.Bytes))).OrderByDescending(t => t.Item3);
    }

    private sealed class MeasuredStorage(IGrainStorage inner, OrleansGrainStorageSerializer serializer, WriteLog log) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) => (inner as ILifecycleParticipant<ISiloLifecycle>)?.Participate(lifecycle);

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            log.Add(grainId.Type.ToString()!, serializer.Serialize(grainState.State).ToArray().Length);
            return inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);
    }
}
