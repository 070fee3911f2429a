using System.Diagnostics;
using TenantBilling.StripeSandbox;

namespace TenantBilling.Benchmarks.EndToEnd;

/// <summary>
/// Issue 5: one account with 150 tenants due at once, the Stripe fake limiting it to 25 requests/s. Wall
/// time from the test clock reaching the billing day until the last invoice is sent, against the bound
/// (Stripe calls needed ÷ 25 per second). Usage: <c>billing-day [--tenants 150] [--rate 25] [--store memory|postgres|both] [--postgres CS] [--compare OTHER/TenantBilling.Api.dll] [--attribute true]</c>.
/// </summary>
internal sealed class BillingDayBenchmark : IBenchmark
{
    public string Name => "billing-day";

    public string Description => "one account, 150 invoices due at once, Stripe fake at 25 requests/s: wall time vs the bound (target <= 1.2x, no 429 reaching an invoice)";

    public async Task RunAsync(IReadOnlyList<string> args)
    {
        var options = new Options(args);
        var shape = new FleetShape("day", 1, options.Int("tenants", 150));
        Machine.PrintHeader();
        foreach (var store in options.Stores())
        {
            foreach (var (label, dll, environment) in options.ApiBuilds())
            {
                await InvoicingRun.RunAsync(store, label, dll, options.Postgres, shape, options.Int("rate", 25), boundTarget: 1.2, environment, options.Attribute);
            }
        }
    }
}

/// <summary>
/// Issue 5: a fleet of 100 accounts × 100 tenants due at once, each account at 100 requests/s: invoices/s,
/// Stripe calls per invoice (target at most 4, customer creation aside), in-memory and on PostgreSQL.
/// Usage: <c>billing-fleet [--accounts 100] [--tenants 100] [--rate 100] [--store memory|postgres|both] [--postgres CS] [--compare OTHER/TenantBilling.Api.dll] [--attribute true]</c>.
/// </summary>
internal sealed class BillingFleetBenchmark : IBenchmark
{
    public string Name => "billing-fleet";

    public string Description => "100 accounts x 100 invoices due at once, 100 Stripe requests/s each: invoices/s and Stripe calls per invoice (target <= 4 + customer)";

    public async Task RunAsync(IReadOnlyList<string> args)
    {
        var options = new Options(args);
        var shape = new FleetShape("fleet", options.Int("accounts", 100), options.Int("tenants", 100));
        Machine.PrintHeader();
        foreach (var store in options.Stores())
        {
            foreach (var (label, dll, environment) in options.ApiBuilds())
            {
                await InvoicingRun.RunAsync(store, label, dll, options.Postgres, shape, options.Int("rate", 100), boundTarget: null, environment, options.Attribute);
            }
        }
    }
}

/// <summary>
/// One billing day end to end: setup through the REST API (accounts connected to the Stripe fake with a
/// secret key each, the fake and the account both set to the rate; tenants with profiles created in
/// October; October's statements delivered on November 2), then, measured: the test clock moves to
/// November 20, every tenant wakes and its invoice goes through Stripe. The fake's counters say when the
/// last invoice was sent and how many calls it took; the API then confirms every invoice is <c>sent</c>.
/// </summary>
internal static class InvoicingRun
{
    private const string CustomersRoute = "POST /v1/customers";
    private const string SendRoute = "POST /v1/invoices/{id}/send";
    private const int MaxCallsPerInvoice = 4;
    private const double Mb = 1024 * 1024;
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(20);
    private static readonly string[] WrittenTables = ["orleans_storage", "orleans_reminders"];

    public static async Task RunAsync(
        string store, string label, string dll, string? server, FleetShape shape, int rate, double? boundTarget, IReadOnlyDictionary<string, string> apiEnvironment, bool attribute)
    {
        Console.WriteLine();
        Console.WriteLine($"## {store}, {label} ({dll}): {shape.Accounts:N0} account(s) × {shape.TenantsPerAccount:N0} tenants = {shape.Tenants:N0} invoices due at once, {rate} Stripe requests/s per account");
        await using var stripe = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { RecordRequestLog = false });
        await using var database = store == "postgres" ? await PostgresDatabase.CreateAsync(server!, "invoicing") : null;
        if (database is not null)
        {
            Console.WriteLine($"PostgreSQL {await database.ServerVersionAsync()}, fresh database {database.Name}");
        }

        await using var api = await ApiProcess.StartAsync(new ApiProcess.Settings($"invoicing-{store}", database?.ConnectionString, stripe.ApiBase, apiEnvironment, dll));
        Console.WriteLine($"API process {api.Id} (Release, co-hosted silo{(apiEnvironment.Count == 0 ? string.Empty : ", " + string.Join(", ", apiEnvironment.Select(e => $"{e.Key}={e.Value}")))}), log {api.LogPath}; Stripe fake in this process at {stripe.ApiBase}");
        using var client = new BillingApi(api.BaseAddress, 64);
        var stripeAccounts = new string[shape.Accounts];
        await Fleet.SetUpAsync(client, shape, 64, async (a, accountId) =>
        {
            var key = shape.SecretKey(a);
            stripeAccounts[a] = stripe.PlatformAccountId(key);
            stripe.SetRateLimit(stripeAccounts[a], RateLimit.PerSecond(rate));
            await client.ConnectStripeAsync(accountId, key);
            await client.SetRateAsync(accountId, rate);
        });

        var batch = await client.PostBatchAsync(writer => Fleet.WriteStatementsAsync(writer, shape, ..));
        var scheduled = batch.Lines.Select(BillingApi.ParseResult).Count(r => r.Status == 201 && r.ScheduledFor == Calendar.DueAt);
        Console.WriteLine($"setup: {scheduled:N0} of {shape.Tenants:N0} statements for {Calendar.Period} scheduled for {Calendar.DueAt:u}; Stripe requests so far {stripe.Counters.TotalRequests}");
        Console.WriteLine($"API RSS after setup: {api.RssBytes / Mb:N0} MB (peak {api.PeakRssBytes / Mb:N0} MB)");
        var attribution = database is null ? null : await WriteAttribution.CreateAsync(database, attribute);
        var writesBefore = database is null ? null : await SettledWriteCountsAsync(database);
        if (attribution is not null)
        {
            await attribution.StartAsync();
        }

        stripe.ResetCounters();

        Console.WriteLine($"measuring, load average {Machine.LoadAverage()}");
        await using var memory = new MemorySampler(api);
        var cpu = new CpuWindow(api, database is null ? null : await database.PostmasterPidAsync());
        var clock = Stopwatch.StartNew();
        var watch = WatchSendsAsync(stripe, shape.Tenants, clock);
        var woken = await client.SetClockAsync(Calendar.BillingDayAt);
        var clockMoved = clock.Elapsed;
        var (firstSend, medianSend, lastSend) = await watch;
        var usage = cpu.Stop();
        var writesAfter = database is null ? null : await SettledWriteCountsAsync(database);
        var routes = stripe.Counters.RequestsByRoute;
        var calls = stripe.Counters.TotalRequests;
        var customers = routes.GetValueOrDefault(CustomersRoute);
        var sends = Sends(stripe);
        Console.WriteLine($"test clock moved to {Calendar.BillingDayAt:u} in {clockMoved.TotalSeconds:F2} s ({woken:N0} tenants woken); first invoice sent after {firstSend?.TotalSeconds ?? lastSend.TotalSeconds:F2} s, median after {medianSend?.TotalSeconds ?? lastSend.TotalSeconds:F2} s ({(medianSend ?? lastSend) / lastSend:F2}× the run)");
        Console.WriteLine($"last of {sends:N0} invoices sent (fake's count of {SendRoute}) after {lastSend.TotalSeconds:F2} s" + (sends < shape.Tenants ? $"  ! TIMED OUT, {shape.Tenants - sends} not sent" : string.Empty));
        Console.WriteLine($"  {sends / lastSend.TotalSeconds:N1} invoices/s, {calls / lastSend.TotalSeconds:N0} Stripe calls/s");
        Console.WriteLine($"  Stripe calls: {calls:N0} = {string.Join(", ", routes.OrderByDescending(r => r.Value).Select(r => $"{r.Key} {r.Value:N0}"))}");
        Console.WriteLine($"  per invoice: {(double)calls / shape.Tenants:F2} calls, {(double)(calls - customers) / shape.Tenants:F2} without customer creation (target <= {MaxCallsPerInvoice}: {Verdict((double)(calls - customers) / shape.Tenants <= MaxCallsPerInvoice)})");
        Console.WriteLine($"  429s served by the fake: {stripe.Counters.RateLimited:N0}; idempotent replays {stripe.Counters.IdempotentReplays:N0}");
        Console.WriteLine($"  {usage.Describe()}");
        Console.WriteLine($"  API RSS peak {api.PeakRssBytes / Mb:N0} MB (VmHWM, setup included); API threads up to {memory.MaxThreads}");

        if (writesBefore is not null)
        {
            Console.WriteLine($"  PostgreSQL rows written per invoice (pg_stat): {string.Join(", ", WrittenTables.Select(t => $"{t} {(double)(writesAfter!.Rows(t) - writesBefore.Rows(t)) / shape.Tenants:F2}"))}; " +
                $"commits {(double)(writesAfter!.Commits - writesBefore.Commits) / shape.Tenants:F2}");
            await attribution!.PrintAsync(shape.Tenants, "invoice");
        }

        if (boundTarget is { } target)
        {
            var bound = calls / (double)(rate * shape.Accounts);
            var ratio = lastSend.TotalSeconds / bound;
            Console.WriteLine($"  bound: {calls:N0} calls ÷ {rate * shape.Accounts}/s = {bound:F2} s; wall {lastSend.TotalSeconds:F2} s = {ratio:F3}× the bound; target <= {target}×: {Verdict(ratio <= target)}");
            var pacing = lastSend - (firstSend ?? lastSend);
            Console.WriteLine($"  of which before the first send {(firstSend ?? lastSend).TotalSeconds:F2} s (clock move, reminders, composing, first 4 calls), first to last send {pacing.TotalSeconds:F2} s");
        }

        var verify = Stopwatch.StartNew();
        var statuses = await InvoiceStatusesAsync(client, shape);
        var notSent = statuses.Where(s => s.Value != "sent").ToList();
        Console.WriteLine($"check through GET …/invoices: {statuses.Count(s => s.Value == "sent"):N0} of {shape.Tenants:N0} invoices sent" +
            (notSent.Count == 0 ? string.Empty : $"; not: {string.Join(", ", notSent.GroupBy(s => s.Value).Select(g => $"{g.Count()} {g.Key}"))}") + $" ({verify.Elapsed.TotalSeconds:F1} s)");
        var fakeInvoices = stripeAccounts.SelectMany(stripe.Invoices).ToList();
        Console.WriteLine($"check in the fake: {fakeInvoices.Count:N0} invoices, {fakeInvoices.Count(i => i.Status == "open" && i.SendCount == 1):N0} open and sent once, {fakeInvoices.Count(i => i.Lines.Count == 0):N0} without lines");
        var noRateLimitReachedAnInvoice = stripe.Counters.RateLimited == 0 && notSent.Count == 0;
        Console.WriteLine($"no 429 reaching an invoice (no 429 served and no invoice failed): {Verdict(noRateLimitReachedAnInvoice)}");
    }

    /// <summary>Polls the fake every 20 ms until all invoices are sent (or the timeout): when the first, the median (half of them sent) and the last one were.</summary>
    private static async Task<(TimeSpan? First, TimeSpan? Median, TimeSpan Last)> WatchSendsAsync(StripeSandboxServer stripe, int invoices, Stopwatch clock)
    {
        await Task.Yield();
        TimeSpan? firstSend = null;
        TimeSpan? medianSend = null;
        var lastReport = TimeSpan.Zero;
        while (Sends(stripe) < invoices && clock.Elapsed < Timeout)
        {
            if (firstSend is null && Sends(stripe) > 0)
            {
                firstSend = clock.Elapsed;
            }

            if (medianSend is null && Sends(stripe) * 2 >= invoices)
            {
                medianSend = clock.Elapsed;
            }

            await Task.Delay(20);
            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(10))
            {
                lastReport = clock.Elapsed;
                Console.WriteLine($"  … {clock.Elapsed.TotalSeconds:F0} s: {Sends(stripe):N0} invoices sent, {stripe.Counters.TotalRequests:N0} Stripe calls");
            }
        }

        return (firstSend ?? (Sends(stripe) > 0 ? clock.Elapsed : null), medianSend ?? (Sends(stripe) * 2 >= invoices ? clock.Elapsed : null), clock.Elapsed);
    }

    private static async Task<PostgresDatabase.WriteCounts> SettledWriteCountsAsync(PostgresDatabase database)
    {
        // Statistics reach pg_stat when back ends go idle (at most every 10 s).
        await Task.Delay(TimeSpan.FromSeconds(11));
        return await database.WriteCountsAsync();
    }

    private static long Sends(StripeSandboxServer stripe) => stripe.Counters.RequestsByRoute.GetValueOrDefault(SendRoute);

    /// <summary>The status of each tenant's October invoice as the API reports it, asking again for a few seconds while some are not sent yet.</summary>
    private static async Task<Dictionary<string, string>> InvoiceStatusesAsync(BillingApi client, FleetShape shape)
    {
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        var pending = shape.AllTenants().ToList();
        for (var round = 0; round < 30 && pending.Count > 0; round++)
        {
            if (round > 0)
            {
                await Task.Delay(1000);
            }

            await Bounded.ForEachAsync(pending, 32, async tenant =>
            {
                var invoices = await client.ListInvoicesAsync(tenant.AccountId, tenant.TenantId);
                statuses[$"{tenant.AccountId}/{tenant.TenantId}"] = invoices.Count == 1 ? invoices[0].Status : $"{invoices.Count} invoices";
            });
            pending = pending.Where(t => statuses[$"{t.AccountId}/{t.TenantId}"] != "sent").ToList();
        }

        return statuses.ToDictionary(StringComparer.Ordinal);
    }

    private static string Verdict(bool met) => met ? "met" : "MISSED";
}
