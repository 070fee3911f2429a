using System.Diagnostics;
using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using TenantBilling.Benchmarks.EndToEnd;
using TenantBilling.Grains;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Silo.Hosting;
using TenantBilling.StripeSandbox;

namespace TenantBilling.Benchmarks;

/// <summary>
/// One account's Stripe rate across a cluster: in-process silos (in-memory storage and reminders, the
/// product's grain services) bill one account's tenants at once, their invoice grains spread over the
/// silos, while the Stripe fake in this process limits the account to the rate the account is set to.
/// Prints the wall time from the statements' arrival (each invoice due at once) to the last invoice sent against the bound the rate
/// sets. The test <c>StripeRateLimitTests</c> checks the same run's correctness (no 429, the call count);
/// this is its speed. Usage: <c>cluster-pacing [--silos 3] [--tenants 60] [--rate 10]</c>.
/// </summary>
internal sealed class ClusterPacingBenchmark : IBenchmark
{
    private const string SendRoute = "POST /v1/invoices/{id}/send";
    private const int CallsPerInvoice = 5;   // customer, invoice, lines, finalize, send
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(10);

    public string Name => "cluster-pacing";

    public string Description => "one account's invoices due at once on 3 in-process silos, Stripe fake at 10 requests/s: wall time vs the bound the rate sets";

    public async Task RunAsync(IReadOnlyList<string> args)
    {
        var options = new Options(args);
        var silos = (short)options.Int("silos", 3);
        var tenants = options.Int("tenants", 60);
        var rate = options.Int("rate", 10);
        Machine.PrintHeader();

        await using var stripe = await StripeSandboxServer.StartAsync(new StripeSandboxOptions { RecordRequestLog = false });
        var clock = new TestClock(TimeProvider.System);
        var cluster = await StartClusterAsync(silos, stripe, clock);
        try
        {
            var grains = cluster.Client;
            Console.WriteLine($"{cluster.GetActiveSilos().Count()} silos in process; Stripe fake at {stripe.ApiBase}, {rate} requests/s (burst {RateLimit.PerSecond(rate).Burst})");

            clock.Apply(clock.SettingFor(new DateTimeOffset(2026, 10, 5, 0, 0, 0, TimeSpan.Zero), clock.Setting.Version));
            var accountId = $"pacing-{Guid.NewGuid():N}"[..20];
            var key = $"sk_test_{Guid.NewGuid():N}";
            var account = grains.GetGrain<IAccountGrain>(accountId);
            await account.CreateAsync("Pacing");
            await account.ConnectStripeAsync(new StripeCredentials(null, key));
            await account.UpdateSettingsAsync(new AccountSettings(30, rate));
            var stripeAccount = stripe.PlatformAccountId(key);
            stripe.SetRateLimit(stripeAccount, RateLimit.PerSecond(rate));

            var address = new PostalAddress("100 Congress Ave", null, "Austin", "TX", "78701", "US");
            var tenantGrains = await Task.WhenAll(Enumerable.Range(1, tenants).Select(async i =>
            {
                var tenant = grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(accountId, $"t{i}"));
                await tenant.SaveDetailsAsync(new TenantDetails($"Tenant {i}", "+15125550100", $"t{i}@example.com", "Contact", "+15125550101", address));
                await tenant.ValidateAddressAsync();
                await tenant.SetBillingProfileAsync(new BillingProfileInput(false, false, 1, new Dictionary<string, decimal> { ["minutes_outbound"] = 0.01m }, []));
                return tenant;
            }));

            // Measured: the statements arrive after the billing day, so each invoice is handed over at once (and
            // the reminders' tick finds it under way), through to the last invoice sent.
            clock.Apply(clock.SettingFor(new DateTimeOffset(2026, 11, 21, 0, 0, 0, TimeSpan.Zero), clock.Setting.Version));
            stripe.ResetCounters();
            Console.WriteLine($"setup: {tenants} tenants with profiles; measuring, load average {Machine.LoadAverage()}");
            var wall = Stopwatch.StartNew();
            await Task.WhenAll(tenantGrains.Select(t => t.AcceptStatementAsync("2026-10", new Statement(10m, new Dictionary<string, decimal> { ["minutes_outbound"] = 1000 }))));
            await Task.WhenAll(tenantGrains.Select(t => t.AsReference<IRemindable>().ReceiveReminder("invoice-due", default)));
            while (stripe.Invoices(stripeAccount).Count(i => i.SendCount > 0) < tenants && wall.Elapsed < Timeout)
            {
                await Task.Delay(20);
            }

            var elapsed = wall.Elapsed;
            var invoices = stripe.Invoices(stripeAccount);
            var sent = invoices.Count(i => i.SendCount > 0);
            var requests = stripe.Counters.TotalRequests;
            var burst = RateLimit.PerSecond(rate).Burst;
            var lowerBound = Math.Max(0, requests - burst) / (double)rate;
            Console.WriteLine($"last of {sent} invoices sent after {elapsed.TotalSeconds:F2} s" + (sent < tenants ? $"  ! TIMED OUT, {tenants - sent} not sent" : string.Empty));
            Console.WriteLine($"  Stripe calls in the window: {requests:N0} ({(double)requests / tenants:F2} per invoice; {CallsPerInvoice} expected); sends counted {stripe.Counters.RequestsByRoute.GetValueOrDefault(SendRoute):N0}");
            Console.WriteLine($"  rate achieved {requests / elapsed.TotalSeconds:F2} calls/s of {rate}/s allowed; 429s served {stripe.Counters.RateLimited:N0}");
            Console.WriteLine($"  bound: ({requests:N0} calls - burst {burst}) ÷ {rate}/s = {lowerBound:F2} s; wall {elapsed.TotalSeconds:F2} s = {elapsed.TotalSeconds / Math.Max(lowerBound, 0.001):F3}× the bound " +
                $"({(elapsed.TotalSeconds >= lowerBound ? "not faster than the rate allows" : "FASTER than the rate allows")})");
            Console.WriteLine($"  invoices in the fake: {invoices.Count}, open and sent once {invoices.Count(i => i.Status == "open" && i.SendCount == 1)}");
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }

    private static async Task<InProcessTestCluster> StartClusterAsync(short silos, StripeSandboxServer stripe, TestClock clock)
    {
        var retry = TimeSpan.FromSeconds(1);
        var encryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var builder = new InProcessTestClusterBuilder(silos);
        builder.Options.ConfigureFileLogging = false;   // the silos log nowhere: a benchmark prints its figures only
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Billing);
            silo.UseInMemoryReminderService();
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = retry);
            silo.Services.Configure<BillingOptions>(o => o.RetryInterval = retry);
            silo.Services.AddKeyedSingleton<TimeProvider>(BillingClock.Key, clock);
            silo.Services.AddTenantBillingGrainServices(new ConfigurationBuilder().Build());
            silo.Services.Configure<StripeOptions>(o =>
            {
                o.ApiBase = stripe.ApiBase;
                o.PlatformSecretKey = "sk_test_platform0000000000";
                o.WebhookSecret = "whsec_benchmark";
                o.EncryptionKey = encryptionKey;
                o.RequestTimeout = TimeSpan.FromSeconds(30);
            });
        });
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }
}
