using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.StripeSandbox;

namespace TenantBilling.Integration.Tests.Processes;

/// <summary>
/// A month's billing run on a <see cref="ProcessCluster"/>: accounts connected to the Stripe fake (in this
/// process) with their own keys, billable tenants, January's statements, then the test clock moved to the
/// billing day so every tenant's invoice falls due at once. <see cref="VerifyAsync"/> then reads what
/// Stripe holds and what the product recorded. Every setup request a silo could not answer (503) is sent
/// again, as a client does.
/// </summary>
public sealed class BillingRun
{
    public const string Period = "2031-01";

    /// <summary>The month the invoices are finalized in, whose ledger holds their phantom fees.</summary>
    public const string FeeMonth = "2031-02";

    private static readonly DateTimeOffset ProfilesAt = new(2031, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset StatementsAt = new(2031, 2, 1, 6, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset BillingDay = new(2031, 2, 5, 0, 0, 1, TimeSpan.Zero);

    private readonly Dictionary<string, string> _stripeAccounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _secretKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _autoCharge = new(StringComparer.Ordinal);

    public BillingRun(StripeSandboxServer stripe, string prefix, int accounts, int tenantsPerAccount)
    {
        Stripe = stripe;
        Accounts = Enumerable.Range(0, accounts).Select(a => $"{prefix}-{a:D2}").ToList();
        TenantsPerAccount = tenantsPerAccount;
    }

    public StripeSandboxServer Stripe { get; }

    public IReadOnlyList<string> Accounts { get; }

    public int TenantsPerAccount { get; }

    public int Invoices => Accounts.Count * TenantsPerAccount;

    /// <summary>The Stripe fake's account id of each of our accounts.</summary>
    public IReadOnlyDictionary<string, string> StripeAccounts => _stripeAccounts;

    public static string Tenant(int t) => $"t{t:D4}";

    /// <summary>Every fourth tenant had under $5.00 of the carrier's usage: a phantom tenant, whose invoice costs its account a fee.</summary>
    public static bool IsPhantom(int t) => t % 4 == 0;

    public IEnumerable<(string Account, string Tenant, string InvoiceKey, bool Phantom)> AllInvoices() =>
        from account in Accounts
        from t in Enumerable.Range(0, TenantsPerAccount)
        select (account, Tenant(t), GrainKeys.MonthlyInvoice(account, Tenant(t), Period), IsPhantom(t));

    /// <summary>Settings every silo and API of the run needs: test mode, the Stripe fake, short Stripe timeouts, the shortest retry period.</summary>
    public Dictionary<string, string> ProcessSettings(TimeSpan stripeRequestTimeout) => new(StringComparer.Ordinal)
    {
        ["TestMode__Enabled"] = "true",
        ["Stripe__ApiBase"] = Stripe.ApiBase,
        ["Stripe__RequestTimeout"] = stripeRequestTimeout.ToString("c", CultureInfo.InvariantCulture),
        // Orleans' minimum reminder period: an invoice whose run stopped with its silo is retried within a minute.
        ["Billing__RetryInterval"] = "00:01:00",
    };

    /// <summary>
    /// Accounts (paced at <paramref name="stripeRequestsPerSecond"/>), tenants and their January statements;
    /// the clock ends on February 1. Accounts in <paramref name="connectLater"/> get no Stripe connection yet:
    /// their invoices are held on the billing day until <see cref="ConnectAsync"/>. Tenants of accounts in
    /// <paramref name="autoCharge"/> have auto-charge on: with a saved card their invoices are charged (and end
    /// <c>paid</c>), not e-mailed.
    /// </summary>
    public async Task SetUpAsync(
        HttpClient api, int stripeRequestsPerSecond, Action<string> log, IReadOnlyCollection<string>? connectLater = null, IReadOnlyCollection<string>? autoCharge = null)
    {
        _autoCharge.UnionWith(autoCharge ?? []);
        var watch = Stopwatch.StartNew();
        await MoveClockAsync(api, ProfilesAt);
        foreach (var account in Accounts)
        {
            _secretKeys[account] = $"sk_test_{Guid.NewGuid():N}";
            _stripeAccounts[account] = Stripe.PlatformAccountId(_secretKeys[account]);
            await SendAsync(api, () => Post("/v1/accounts", new { accountId = account, name = $"Reseller {account}" }), HttpStatusCode.Created, HttpStatusCode.Conflict);
            if (connectLater?.Contains(account) != true)
            {
                await ConnectAsync(api, account);
            }

            await SendAsync(api, () => Put($"/v1/accounts/{account}/settings", new { daysUntilDue = 30, stripeRequestsPerSecond }), HttpStatusCode.OK);
        }

        await Parallel.ForEachAsync(
            AllInvoices(), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (invoice, _) =>
            {
                var url = ApiCalls.TenantUrl(invoice.Account, invoice.Tenant);
                await SendAsync(api, () => new HttpRequestMessage(HttpMethod.Put, url) { Content = ApiCalls.Json(ApiCalls.TenantBody) }, HttpStatusCode.Created, HttpStatusCode.OK);
                await SendAsync(api, () => new HttpRequestMessage(HttpMethod.Post, $"{url}/address/validate"), HttpStatusCode.OK);
                var profile = _autoCharge.Contains(invoice.Account) ? ApiCalls.ProfileBody.Replace("\"autoCharge\": false", "\"autoCharge\": true", StringComparison.Ordinal) : ApiCalls.ProfileBody;
                await SendAsync(api, () => new HttpRequestMessage(HttpMethod.Put, $"{url}/billing-profile") { Content = ApiCalls.Json(profile) }, HttpStatusCode.OK);
            });
        log($"set up {Accounts.Count} accounts (own Stripe keys, {stripeRequestsPerSecond} Stripe requests/s each) and {Invoices} billable tenants in {watch.Elapsed.TotalSeconds:0.0} s");

        watch.Restart();
        await MoveClockAsync(api, StatementsAt);
        var pending = AllInvoices().ToList();
        for (var attempt = 1; pending.Count > 0; attempt++)
        {
            Assert.True(attempt <= 10, $"{pending.Count} statements were still refused after 10 batches");
            pending = await DeliverAsync(api, pending);
        }

        log($"delivered {Invoices} statements for {Period} ({AllInvoices().Count(i => i.Phantom)} of phantom tenants, usage $3.10) in {watch.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Connects the account's Stripe (its own key): invoices held for it go to Stripe.</summary>
    public async Task ConnectAsync(HttpClient api, string account) =>
        await SendAsync(api, () => Put($"/v1/accounts/{account}/stripe-connection", new { secretKey = _secretKeys[account] }), HttpStatusCode.OK);

    /// <summary>Moves the clock to the billing day: every invoice is due now.</summary>
    public static Task MoveToBillingDayAsync(HttpClient api) => MoveClockAsync(api, BillingDay);

    /// <summary>Invoice keys that have at least one finalized invoice in Stripe (of one account, if given).</summary>
    public int Finalized(string? account = null) =>
        FinalizedByKey().Keys.Count(key => account is null || key.StartsWith(account + "/", StringComparison.Ordinal));

    public async Task<int> WaitUntilFinalizedAsync(int atLeast, TimeSpan timeout, string? account = null)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var finalized = Finalized(account);
            if (finalized >= atLeast || deadline.Elapsed > timeout)
            {
                return finalized;
            }

            await Task.Delay(250);
        }
    }

    /// <summary>
    /// Waits until every invoice is done as the product sees it (sent, or paid when charged, in its own list) and its Stripe
    /// invoice is final, or the timeout passes; then reads everything and returns the counts.
    /// </summary>
    public async Task<Outcome> WaitAndVerifyAsync(HttpClient api, TimeSpan timeout, Action<string> log)
    {
        var deadline = Stopwatch.StartNew();
        while (Finalized() < Invoices && deadline.Elapsed < timeout)
        {
            await Task.Delay(500);
        }

        log($"{Finalized()} of {Invoices} invoices final in Stripe after waiting {deadline.Elapsed.TotalSeconds:0} s");
        var statuses = await ProductStatusesAsync(api, until: deadline, timeout);
        return await VerifyAsync(api, statuses);
    }

    private async Task<Dictionary<string, string>> ProductStatusesAsync(HttpClient api, Stopwatch until, TimeSpan timeout)
    {
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(AllInvoices(), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (invoice, _) =>
        {
            while (true)
            {
                var list = await SendAsync(api, () => new HttpRequestMessage(HttpMethod.Get, $"{ApiCalls.TenantUrl(invoice.Account, invoice.Tenant)}/invoices"), HttpStatusCode.OK);
                var ours = list.EnumerateArray().Where(i => i.GetProperty("invoiceKey").GetString() == invoice.InvoiceKey).Select(i => i.GetProperty("status").GetString()!).ToList();
                var status = ours.Count == 1 ? ours[0] : ours.Count == 0 ? "missing" : $"listed {ours.Count} times";
                statuses[invoice.InvoiceKey] = status;
                if (status == DoneStatus(invoice.Account) || until.Elapsed > timeout)
                {
                    return;
                }

                await Task.Delay(1000, CancellationToken.None);
            }
        });
        return new Dictionary<string, string>(statuses, StringComparer.Ordinal);
    }

    /// <summary>What Stripe holds for our invoice keys, what the product lists, and the fees in the ledger.</summary>
    public async Task<Outcome> VerifyAsync(HttpClient api, IReadOnlyDictionary<string, string> productStatuses)
    {
        var finalized = FinalizedByKey();
        var drafts = AllOurInvoices().Count(i => i.Invoice.Status == "draft");
        var fees = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var account in Accounts)
        {
            var answer = await SendAsync(api, () => new HttpRequestMessage(HttpMethod.Get, $"/v1/accounts/{account}/fees?month={FeeMonth}"), HttpStatusCode.OK);
            foreach (var fee in answer.GetProperty("fees").EnumerateArray())
            {
                var key = fee.GetProperty("invoiceKey").GetString()!;
                fees[key] = fees.GetValueOrDefault(key) + 1;
            }
        }

        var all = AllInvoices().ToList();
        return new Outcome(
            Invoices: all.Count,
            ExactlyOne: all.Count(i => finalized.GetValueOrDefault(i.InvoiceKey).Count == 1),
            Missing: all.Where(i => !finalized.ContainsKey(i.InvoiceKey)).Select(i => i.InvoiceKey).ToList(),
            Duplicated: all.Where(i => finalized.GetValueOrDefault(i.InvoiceKey).Count > 1).Select(i => $"{i.InvoiceKey} ×{finalized[i.InvoiceKey].Count}").ToList(),
            SentMoreThanOnce: all.Where(i => finalized.GetValueOrDefault(i.InvoiceKey).Sends > 1).Select(i => $"{i.InvoiceKey} sent {finalized[i.InvoiceKey].Sends} times").ToList(),
            ChargedWrongly: all.Where(i => _autoCharge.Contains(i.Account) && finalized.GetValueOrDefault(i.InvoiceKey) is not { Charges: 1, FullyPaid: true })
                .Select(i => $"{i.InvoiceKey} charged {finalized.GetValueOrDefault(i.InvoiceKey).Charges} times, {(finalized.GetValueOrDefault(i.InvoiceKey).FullyPaid ? "paid" : "not paid in full")}").ToList(),
            LeftInDraft: drafts,
            PhantomTenants: all.Count(i => i.Phantom),
            FeesOnce: all.Count(i => i.Phantom && fees.GetValueOrDefault(i.InvoiceKey) == 1),
            FeeProblems: all.Where(i => fees.GetValueOrDefault(i.InvoiceKey) != (i.Phantom ? 1 : 0))
                .Select(i => $"{i.InvoiceKey}: {fees.GetValueOrDefault(i.InvoiceKey)} fee(s), {(i.Phantom ? "a phantom tenant" : "not a phantom tenant")}").ToList(),
            ProductStatuses: productStatuses.Values.GroupBy(s => s).OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count()),
            NotSent: productStatuses.Where(s => s.Value != DoneStatus(s.Key[..s.Key.IndexOf('/', StringComparison.Ordinal)]))
                .Select(s => $"{s.Key}: {s.Value}").Order(StringComparer.Ordinal).ToList());
    }

    /// <summary>Counts of what the Stripe fake answered: requests, 429s, faults, idempotent replays.</summary>
    public string StripeCounts()
    {
        var log = Stripe.RequestLog;
        var byStatus = string.Join(", ", log.GroupBy(e => e.Status).OrderBy(g => g.Key).Select(g => $"{g.Key}: {g.Count()}"));
        return $"{Stripe.Counters.TotalRequests} Stripe requests ({byStatus}); {Stripe.Counters.RateLimited} answered 429, {Stripe.Counters.FaultsFired} injected faults fired, {Stripe.Counters.IdempotentReplays} idempotent replays";
    }

    private IEnumerable<(string Account, FakeInvoice Invoice)> AllOurInvoices() =>
        from account in Accounts
        from invoice in Stripe.Invoices(_stripeAccounts[account])
        where invoice.Metadata.ContainsKey(StripeGateway.InvoiceKeyMetadata)
        select (account, invoice);

    /// <summary>What the product lists a finished invoice as: paid when its tenant is charged, else sent.</summary>
    private string DoneStatus(string account) => _autoCharge.Contains(account) ? "paid" : "sent";

    /// <summary>Per invoice key, its finalized Stripe invoices: how many, their e-mails, their charge attempts, and whether all are paid in full.</summary>
    private Dictionary<string, (int Count, int Sends, long Charges, bool FullyPaid)> FinalizedByKey() =>
        AllOurInvoices().Where(i => i.Invoice.Status != "draft")
            .GroupBy(i => i.Invoice.Metadata[StripeGateway.InvoiceKeyMetadata], StringComparer.Ordinal)
            .ToDictionary(
                g => g.Key,
                g => (g.Count(), g.Sum(i => i.Invoice.SendCount), g.Sum(i => i.Invoice.AttemptCount), g.All(i => i.Invoice.Status == "paid" && i.Invoice.AmountPaid == i.Invoice.Total)),
                StringComparer.Ordinal);

    /// <summary>Sends one batch; returns the statements it must send again (a line the cluster did not answer, or no answer at all).</summary>
    private static async Task<List<(string Account, string Tenant, string InvoiceKey, bool Phantom)>> DeliverAsync(
        HttpClient api, List<(string Account, string Tenant, string InvoiceKey, bool Phantom)> statements)
    {
        var body = new StringBuilder();
        foreach (var s in statements)
        {
            var usage = s.Phantom ? 3.10m : 12.50m;
            body.Append(CultureInfo.InvariantCulture, $"{{\"accountId\":\"{s.Account}\",\"tenantId\":\"{s.Tenant}\",\"period\":\"{Period}\",\"usageTotal\":{usage},\"quantities\":{{\"minutes_outbound\":1000,\"local_numbers\":2}}}}\n");
        }

        try
        {
            using var response = await api.PostAsync("/v1/statements/batch", new StringContent(body.ToString(), Encoding.UTF8, "application/x-ndjson"));
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
            {
                await Task.Delay(1000);
                return statements;
            }

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var again = new List<(string, string, string, bool)>();
            foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                using var result = JsonDocument.Parse(line);
                var status = result.RootElement.GetProperty("status").GetInt32();
                var index = result.RootElement.GetProperty("line").GetInt32() - 1;
                if (status == 503)
                {
                    again.Add(statements[index]);
                }
                else
                {
                    Assert.True(status is 201 or 200, $"statement line {index + 1}: {line}");
                }
            }

            return again;
        }
        catch (HttpRequestException)
        {
            await Task.Delay(1000);
            return statements;
        }
    }

    private static async Task MoveClockAsync(HttpClient api, DateTimeOffset now) =>
        await SendAsync(api, () => Post("/v1/test-clock", new { now }), HttpStatusCode.OK);

    private static HttpRequestMessage Post(string url, object body) => new(HttpMethod.Post, url) { Content = JsonContent.Create(body) };

    private static HttpRequestMessage Put(string url, object body) => new(HttpMethod.Put, url) { Content = JsonContent.Create(body) };

    /// <summary>Sends a request until it gets something other than a 503 or no answer (for up to a minute), and expects one of <paramref name="expected"/>.</summary>
    public static async Task<JsonElement> SendAsync(HttpClient api, Func<HttpRequestMessage> request, params HttpStatusCode[] expected)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                using var message = request();
                using var response = await api.SendAsync(message);
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable || deadline.Elapsed > TimeSpan.FromSeconds(60))
                {
                    return await ApiCalls.ExpectAsync(response, expected);
                }
            }
            catch (Exception exception) when ((exception is HttpRequestException or TaskCanceledException) && deadline.Elapsed < TimeSpan.FromSeconds(60))
            {
                // The API restarting or a request lost with a silo: send it again.
            }

            await Task.Delay(500);
        }
    }

    /// <summary>The counts a billing run ends with.</summary>
    public sealed record Outcome(
        int Invoices,
        int ExactlyOne,
        IReadOnlyList<string> Missing,
        IReadOnlyList<string> Duplicated,
        IReadOnlyList<string> SentMoreThanOnce,
        IReadOnlyList<string> ChargedWrongly,
        int LeftInDraft,
        int PhantomTenants,
        int FeesOnce,
        IReadOnlyList<string> FeeProblems,
        IReadOnlyDictionary<string, int> ProductStatuses,
        IReadOnlyList<string> NotSent)
    {
        public override string ToString() =>
            $"{Invoices} invoices: {ExactlyOne} with exactly one finalized Stripe invoice, {Missing.Count} missing, {Duplicated.Count} duplicated, " +
            $"{SentMoreThanOnce.Count} sent more than once, {ChargedWrongly.Count} of those charged not charged exactly once, {LeftInDraft} Stripe drafts left over; phantom fees: {FeesOnce} of {PhantomTenants} phantom tenants recorded once, " +
            $"{FeeProblems.Count} wrong; product statuses: {string.Join(", ", ProductStatuses.Select(s => $"{s.Key} {s.Value}"))}";

        /// <summary>The first few problems of each kind, for a failure message.</summary>
        public string Problems() => string.Join('\n', new[] { Missing, Duplicated, SentMoreThanOnce, ChargedWrongly, FeeProblems, NotSent }
            .Where(list => list.Count > 0).Select(list => string.Join("; ", list.Take(10)) + (list.Count > 10 ? $" (and {list.Count - 10} more)" : string.Empty)));
    }
}
