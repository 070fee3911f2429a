using System.Diagnostics;
using System.Globalization;

namespace TenantBilling.Benchmarks.EndToEnd;

/// <summary>
/// The test-clock calendar every end-to-end benchmark follows: profiles are created in October 2026
/// (so October is their first billed month), October's statements arrive on November 2, and the
/// billing day is the 20th, so October's invoices fall due on November 20.
/// </summary>
internal static class Calendar
{
    public const string Period = "2026-10";

    public static readonly DateTimeOffset ProfilesCreatedAt = new(2026, 10, 15, 12, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset StatementsArriveAt = new(2026, 11, 2, 6, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset BillingDayAt = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    public static readonly DateTimeOffset DueAt = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);
}

/// <summary>Accounts × tenants, each tenant with a validated address (78701 Austin TX) and a billing profile.</summary>
internal sealed record FleetShape(string Prefix, int Accounts, int TenantsPerAccount)
{
    public int Tenants => Accounts * TenantsPerAccount;

    public string AccountId(int account) => $"{Prefix}-{account:D4}";

    public static string TenantId(int tenant) => $"t-{tenant:D4}";

    /// <summary>The Stripe key an account connects with (the fake derives its Stripe account from it).</summary>
    public string SecretKey(int account) => $"sk_test_{Prefix.Replace("-", string.Empty, StringComparison.Ordinal)}{account:D4}benchkey";

    /// <summary>Every tenant, account by account (the order of a carrier's month-close export).</summary>
    public IEnumerable<(string AccountId, string TenantId, int Number)> AllTenants()
    {
        for (var a = 0; a < Accounts; a++)
        {
            for (var t = 0; t < TenantsPerAccount; t++)
            {
                yield return (AccountId(a), TenantId(t), (a * TenantsPerAccount) + t);
            }
        }
    }

    /// <summary>Tenants interleaved across accounts, so setup load spreads over the account grains.</summary>
    public IEnumerable<(string AccountId, string TenantId, int Number)> Interleaved()
    {
        for (var t = 0; t < TenantsPerAccount; t++)
        {
            for (var a = 0; a < Accounts; a++)
            {
                yield return (AccountId(a), TenantId(t), (a * TenantsPerAccount) + t);
            }
        }
    }
}

internal static class Fleet
{
    /// <summary>Setup (not measured): accounts, optional Stripe connection and rate, tenants with profiles.</summary>
    public static async Task SetUpAsync(BillingApi api, FleetShape shape, int concurrency, Func<int, string, Task>? perAccount = null)
    {
        var clock = Stopwatch.StartNew();
        await api.SetClockAsync(Calendar.ProfilesCreatedAt);
        await Bounded.ForEachAsync(Enumerable.Range(0, shape.Accounts), concurrency, async a =>
        {
            await api.CreateAccountAsync(shape.AccountId(a));
            if (perAccount is not null)
            {
                await perAccount(a, shape.AccountId(a));
            }
        });

        var done = 0;
        var progress = Stopwatch.StartNew();
        await Bounded.ForEachAsync(shape.Interleaved(), concurrency, async tenant =>
        {
            await api.CreateTenantWithProfileAsync(tenant.AccountId, tenant.TenantId, tenant.Number);
            var count = Interlocked.Increment(ref done);
            if (count % 20_000 == 0)
            {
                Console.WriteLine($"  setup: {count:N0} tenants with profiles ({count / progress.Elapsed.TotalSeconds:N0} tenants/s)");
            }
        });

        Console.WriteLine($"setup: {shape.Accounts:N0} accounts, {shape.Tenants:N0} tenants created, validated and given profiles in {clock.Elapsed.TotalSeconds:F1} s " +
            $"({shape.Tenants / clock.Elapsed.TotalSeconds:N0} tenants/s, 3 requests each, {concurrency} at a time)");
        clock.Restart();
        var woken = await api.SetClockAsync(Calendar.StatementsArriveAt);
        Console.WriteLine($"setup: test clock moved to {Calendar.StatementsArriveAt:u} ({woken:N0} tenants woken) in {clock.Elapsed.TotalSeconds:F1} s");
    }

    /// <summary>Writes the month's statement of every tenant of some accounts as NDJSON, account by account.</summary>
    public static async Task WriteStatementsAsync(StreamWriter writer, FleetShape shape, Range accounts)
    {
        var (first, count) = accounts.GetOffsetAndLength(shape.Accounts);
        foreach (var (accountId, tenantId, n) in shape.AllTenants().Skip(first * shape.TenantsPerAccount).Take(count * shape.TenantsPerAccount))
        {
            // One tenant in twenty is a phantom (under $5.00 of carrier usage).
            var usage = n % 20 == 0 ? 3.75m : 40m + ((n % 500) * 0.37m);
            await writer.WriteAsync(string.Create(
                CultureInfo.InvariantCulture,
                $$$"""{"accountId":"{{{accountId}}}","tenantId":"{{{tenantId}}}","period":"{{{Calendar.Period}}}","usageTotal":{{{usage}}},"quantities":{"sip_channels":{{{1 + (n % 8)}}},"minutes_inbound":{{{1000 + (n % 5000)}}},"minutes_outbound":{{{2000 + (n % 7000)}}},"minutes_international":{{{n % 50}}},"minutes_short_duration":{{{n % 30}}},"local_numbers":{{{1 + (n % 20)}}},"toll_free_numbers":{{{n % 3}}}}}"""));
            await writer.WriteAsync('\n');
        }
    }

    /// <summary>Counts, through the API's tenant list, the tenants whose next invoice is the month's, due on the billing day.</summary>
    public static async Task<(int Scheduled, int Other)> CountScheduledAsync(BillingApi api, FleetShape shape, int concurrency)
    {
        var scheduled = 0;
        var other = 0;
        await Bounded.ForEachAsync(Enumerable.Range(0, shape.Accounts), concurrency, async a =>
        {
            string? after = null;
            do
            {
                var page = await api.ListTenantsAsync(shape.AccountId(a), after);
                foreach (var tenant in page.Items)
                {
                    if (tenant.NextInvoice is { Period: Calendar.Period } next && next.DueAt == Calendar.DueAt)
                    {
                        Interlocked.Increment(ref scheduled);
                    }
                    else
                    {
                        Interlocked.Increment(ref other);
                    }
                }

                after = page.NextAfter;
            }
            while (after is not null);
        });

        return (scheduled, other);
    }
}
