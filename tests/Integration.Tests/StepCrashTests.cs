using System.Diagnostics;
using System.Globalization;
using System.Net;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Integration.Tests.Processes;
using TenantBilling.StripeSandbox;
using Xunit.Abstractions;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// A silo process killed with -9 between each pair of Stripe steps, then started again, on PostgreSQL with the
/// Stripe fake: one account per boundary, each with one (phantom, taxed) tenant, whose invoice meets a fault
/// that lets Stripe do the step (the customer created, the draft created, its lines added, it finalized, it
/// e-mailed) and holds the answer; while it is held the silo is killed, before the product records or goes on,
/// and started again. Afterwards each tenant has exactly one finalized Stripe invoice for the month, e-mailed
/// exactly once, its phantom fee recorded once and its taxes in the tax report once. Stripe's idempotency keys
/// expire at once here, so what the silo finds after a restart is read back from Stripe, never a replay. One silo; the kills come
/// one after another as the invoices reach their boundaries (invoices of other boundaries held at the time of
/// a kill are stopped by it too, at their own boundary). The last boundary is the charge: that account's tenant
/// has auto-charge on and a card saved (see <see cref="SaveCardBeforeTheFirstInvoice"/>), so its invoice is
/// charged instead of e-mailed, and it must be charged exactly once and end paid in full.
/// </summary>
[Collection(ProcessTestGroup.Name)]
public sealed class StepCrashTests(PostgresFixture postgres, ITestOutputHelper output)
{
    /// <summary>Each boundary: the request Stripe does and holds the answer of, and how the test sees that Stripe did it.</summary>
    private static readonly (string Step, string Path, Func<StripeSandboxServer, string, bool> Done)[] Boundaries =
    [
        ("customer created", "/v1/customers", (s, a) => s.Customers(a).Count == 1),
        ("invoice created", "/v1/invoices", (s, a) => s.Invoices(a).Count == 1),
        ("lines added", "/v1/invoices/*/add_lines", (s, a) => s.Invoices(a).Any(i => i.Lines.Count > 0)),
        ("finalized", "/v1/invoices/*/finalize", (s, a) => s.Invoices(a).Any(i => i.Status == "open")),
        ("sent", "/v1/invoices/*/send", (s, a) => s.Invoices(a).Any(i => i.SendCount == 1)),
        ("charged", "/v1/invoices/*/pay", (s, a) => s.Invoices(a).Any(i => i.Status == "paid")),
    ];

    private static readonly int ChargeBoundary = Boundaries.Length - 1;

    [Fact]
    public async Task A_silo_killed_after_each_stripe_step_and_started_again_leaves_one_invoice_sent_or_charged_once_with_one_fee_and_its_taxes_once()
    {
        var clock = Stopwatch.StartNew();
        void Log(string line) => output.WriteLine($"[{clock.Elapsed.TotalSeconds,6:0.0} s] {line}");
        // Stripe replays a key for 24 hours; here for a second, so no restart can lean on a replay: each step is read back.
        await using var stripe = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { IdempotencyWindow = TimeSpan.FromSeconds(1) });
        var run = new BillingRun(stripe, "steps", Boundaries.Length, tenantsPerAccount: 1);
        await using var cluster = ProcessCluster.Create(postgres.ConnectionString, "steps");
        // Longer than the test takes to see Stripe's work and kill (the longest timeout allowed): the held answer never reaches the silo.
        foreach (var (key, value) in run.ProcessSettings(StripeOptions.LongestRequestTimeout))
        {
            cluster.Settings[key] = value;
        }

        var silo = await cluster.StartSiloAsync("silo");
        var api = await cluster.StartApiAsync("api");
        using var http = ProcessCluster.Client(api, timeout: TimeSpan.FromSeconds(30));
        await run.SetUpAsync(http, 25, Log, autoCharge: [run.Accounts[ChargeBoundary]]);
        SaveCardBeforeTheFirstInvoice(stripe, run.StripeAccounts[run.Accounts[ChargeBoundary]]);

        var held = Boundaries.Select((boundary, i) => (boundary.Step, Account: run.StripeAccounts[run.Accounts[i]], boundary.Done, Fault: stripe.InjectFault(new FaultRule(FaultKind.TimeoutAfterWork)
        {
            Method = "POST", Path = boundary.Path, AccountId = run.StripeAccounts[run.Accounts[i]], Delay = TimeSpan.FromMinutes(5),
        }))).ToList();
        var billingDay = BillingRun.MoveToBillingDayAsync(http);
        Log($"billing day: {run.Invoices} invoices due, each held after a different Stripe step");

        var killedAt = new List<string>();
        while (killedAt.Count < held.Count)
        {
            var deadline = Stopwatch.StartNew();
            List<string> reached;
            while ((reached = held.Where(h => !killedAt.Contains(h.Step) && h.Fault.Fired == 1 && h.Done(stripe, h.Account)).Select(h => h.Step).ToList()).Count == 0)
            {
                // A hang guard: an invoice that met a fault or a kill on its way may wait one retry interval (a minute) more.
                Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(180), $"no invoice reached its boundary within 180 s; killed so far after: {string.Join(", ", killedAt)}");
                await Task.Delay(100);
            }

            await silo.Process.KillAsync();
            killedAt.AddRange(reached);
            Log($"Stripe did '{string.Join("', '", reached)}' and holds the answer: kill -9 the silo");
            silo = await cluster.RestartAsync(silo, samePorts: true);
            Log("the silo started again and is Active");
        }

        // The clock's move may have met a kill (a 503 for longer than its retries): sent once more, as a client does; it wakes nobody twice.
        await billingDay.ContinueWith(_ => { }, TaskScheduler.Default);
        await BillingRun.MoveToBillingDayAsync(http);
        var outcome = await run.WaitAndVerifyAsync(http, TimeSpan.FromMinutes(2), Log);
        Log($"outcome: {outcome}");
        Assert.True(outcome.ExactlyOne == run.Invoices && outcome.Missing.Count == 0 && outcome.Duplicated.Count == 0, $"{outcome}\n{outcome.Problems()}");
        Assert.True(outcome.SentMoreThanOnce.Count == 0 && outcome.NotSent.Count == 0, $"{outcome}\n{outcome.Problems()}");
        Assert.True(outcome.ChargedWrongly.Count == 0, $"{outcome}\n{outcome.Problems()}");
        Assert.Equal(0, Assert.Single(stripe.Invoices(run.StripeAccounts[run.Accounts[ChargeBoundary]]), i => i.Metadata.ContainsKey(StripeGateway.InvoiceKeyMetadata)).SendCount);
        Assert.True(outcome.FeesOnce == outcome.PhantomTenants && outcome.PhantomTenants == run.Invoices && outcome.FeeProblems.Count == 0, $"{outcome}\n{outcome.Problems()}");
        Assert.Equal(0, outcome.LeftInDraft);

        // The taxes once: the month's tax report holds the invoice's taxes exactly as Stripe's total_taxes.
        foreach (var (step, account) in held.Select((h, i) => (h.Step, run.Accounts[i])))
        {
            var ours = Assert.Single(stripe.Invoices(run.StripeAccounts[account]), i => i.Metadata.ContainsKey(StripeGateway.InvoiceKeyMetadata));
            Assert.True(ours.TotalTaxes > 0, step);
            using var report = await http.GetAsync($"/v1/accounts/{account}/tax-report?month={BillingRun.FeeMonth}");
            Assert.Equal(HttpStatusCode.OK, report.StatusCode);
            var lines = (await report.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Select(CsvFields).ToList();
            var (id, amount) = (lines[0].IndexOf("stripe_invoice_id"), lines[0].IndexOf("tax_amount"));
            var taxRows = lines.Skip(1).Where(r => r[0] == "tax").ToList();
            Assert.NotEmpty(taxRows);
            Assert.All(taxRows, r => Assert.Equal(ours.Id, r[id]));
            Assert.True(ours.TotalTaxes == taxRows.Sum(r => (long)Math.Round(decimal.Parse(r[amount], CultureInfo.InvariantCulture) * 100)), $"{step}: the report's taxes are not Stripe's {ours.TotalTaxes} cents once");
        }
    }

    /// <summary>
    /// The tenant's card is saved on its Stripe customer before the invoice goes on, as a reseller's checkout would:
    /// the customer's create is done but answered with a 500, so the product looks for it (listing customers)
    /// and updates it; the listing is held until the card is saved, so the update's answer shows the card and the
    /// invoice is created to be charged.
    /// </summary>
    private static void SaveCardBeforeTheFirstInvoice(StripeSandboxServer stripe, string stripeAccount)
    {
        stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/customers", AccountId = stripeAccount });
        stripe.InjectFault(new FaultRule(FaultKind.HeldBeforeWork)
        {
            Method = "GET", Path = "/v1/customers", AccountId = stripeAccount,
            WhileHeld = () =>
            {
                stripe.AttachCard(stripeAccount, Assert.Single(stripe.Customers(stripeAccount)).Id);
                return Task.CompletedTask;
            },
        });
    }

    /// <summary>One CSV line's fields (RFC 4180 quoting).</summary>
    private static List<string> CsvFields(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString());
        return fields;
    }
}
