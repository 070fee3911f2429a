using System.Net;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>
/// <c>GET /v1/bill-runs/{date}</c> over a real billing day (<see cref="BillRunScenario"/>): the operator sees every
/// account, an account key its own, failures come with their reasons and a retry route that works, and a bad date
/// or no key is refused.
/// </summary>
public sealed class BillRunApiTests(BillRunApiTests.Run run) : IClassFixture<BillRunApiTests.Run>
{
    /// <summary>The API on the Stripe fake (no injected faults: the counts are exact), and the day run once.</summary>
    public sealed class Run : StripeApiFactory
    {
        private BillRunScenario? _scenario;

        protected override TenantBilling.StripeSandbox.StripeSandboxOptions? FakeOptions => TenantBilling.StripeSandbox.StripeSandboxOptions.Exact;

        public async Task<BillRunScenario> ScenarioAsync() => _scenario ??= await BillRunScenario.RunAsync(this);
    }

    [Fact]
    public async Task The_operator_sees_every_account_s_invoices_by_stage_and_the_failed_one_with_its_reason()
    {
        var scenario = await run.ScenarioAsync();

        var day = await (await run.Operator().GetAsync($"/v1/bill-runs/{BillRunScenario.Day}")).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Equal(BillRunScenario.Day, day.GetProperty("date").GetString());
        Assert.Equal("all", day.GetProperty("scope").GetString());
        var invoices = day.GetProperty("invoices");
        Assert.Equal(
            new Dictionary<string, int> { ["due"] = 4, ["composing"] = 0, ["waitingForTaxes"] = 0, ["held"] = 1, ["inStripe"] = 0, ["sent"] = 2, ["failed"] = 1, ["nothingToBill"] = 0 },
            invoices.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32()));
        Assert.Equal(
            new[] { scenario.Failing, scenario.Holding, scenario.Sending }.Order(StringComparer.Ordinal),
            day.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("accountId").GetString()!));
        var sending = day.GetProperty("accounts").EnumerateArray().Single(a => a.GetProperty("accountId").GetString() == scenario.Sending);
        Assert.Equal(2, sending.GetProperty("invoices").GetProperty("sent").GetInt32());
        Assert.True(sending.GetProperty("finishedAt").ValueKind == JsonValueKind.String, sending.ToString());

        var failure = Assert.Single(day.GetProperty("failures").EnumerateArray());
        Assert.Equal(scenario.Failing, failure.GetProperty("accountId").GetString());
        Assert.Equal("east", failure.GetProperty("tenantId").GetString());
        Assert.Equal("2026-10", failure.GetProperty("period").GetString());
        Assert.Equal("failed", failure.GetProperty("status").GetString());
        Assert.Contains("API key", failure.GetProperty("reason").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal($"/v1/accounts/{scenario.Failing}/tenants/east/invoices/2026-10/retry", failure.GetProperty("retry").GetString());

        // Sends per minute, on the (frozen) test clock's minute, and a pace from them; the day is not over (one held).
        Assert.Equal(2, day.GetProperty("sentOverTime").EnumerateArray().Sum(m => m.GetProperty("sent").GetInt32()));
        Assert.True(day.GetProperty("sentPerMinute").GetDouble() > 0);
        Assert.Equal(JsonValueKind.Null, day.GetProperty("finishedAt").ValueKind);
        Assert.Equal(JsonValueKind.Null, day.GetProperty("estimatedEnd").ValueKind);
    }

    [Fact]
    public async Task An_account_key_sees_its_own_account_only()
    {
        var scenario = await run.ScenarioAsync();
        var (_, key) = await Seed.KeyAsync(run.Operator(), scenario.Failing);

        var own = await (await run.Client(key).GetAsync($"/v1/bill-runs/{BillRunScenario.Day}")).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Equal("account", own.GetProperty("scope").GetString());
        Assert.Equal(1, own.GetProperty("invoices").GetProperty("due").GetInt32());
        Assert.Equal(1, own.GetProperty("invoices").GetProperty("failed").GetInt32());
        Assert.Equal([scenario.Failing], own.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("accountId").GetString()));
        Assert.DoesNotContain(scenario.Sending, own.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(scenario.Holding, own.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("2026-11-31")]
    [InlineData("2026-1-05")]
    [InlineData("20261105")]
    [InlineData("1999-12-31")]
    [InlineData("today")]
    public async Task A_date_that_is_not_a_billing_day_is_a_400_naming_it(string date)
    {
        var problem = await (await run.Operator().GetAsync($"/v1/bill-runs/{date}")).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["date"], problem.ErrorFields());
    }

    [Fact]
    public async Task A_day_without_invoices_answers_zeros()
    {
        var day = await (await run.Operator().GetAsync("/v1/bill-runs/2031-01-01")).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Equal(0, day.GetProperty("invoices").GetProperty("due").GetInt32());
        Assert.Empty(day.GetProperty("accounts").EnumerateArray());
    }

    [Fact]
    public async Task Anonymous_callers_and_unknown_keys_are_refused()
    {
        Assert.Equal(HttpStatusCode.Unauthorized, (await run.Client(null).GetAsync($"/v1/bill-runs/{BillRunScenario.Day}")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await run.Client("not-a-key-at-all-0123456789").GetAsync($"/v1/bill-runs/{BillRunScenario.Day}")).StatusCode);
    }
}

/// <summary>The retry route a bill run lists, on a day of its own (so the other tests see the failure).</summary>
public sealed class BillRunRetryTests(BillRunApiTests.Run run) : IClassFixture<BillRunApiTests.Run>
{
    [Fact]
    public async Task A_failed_invoice_retried_through_its_route_moves_to_sent()
    {
        var scenario = await run.ScenarioAsync();
        var op = run.Operator();
        var failure = (await (await op.GetAsync($"/v1/bill-runs/{BillRunScenario.Day}")).ExpectJsonAsync(HttpStatusCode.OK)).GetProperty("failures").EnumerateArray()
            .Single(f => f.GetProperty("accountId").GetString() == scenario.Failing);
        run.Stripe.RestoreApiKey(scenario.FailingSecretKey);
        await (await op.SendAsync(HttpMethod.Post, failure.GetProperty("retry").GetString()!)).ExpectJsonAsync(HttpStatusCode.OK);

        await Eventually.TrueAsync(async () => (await BillRunScenario.InvoicesAsync(op)).GetProperty("sent").GetInt32() == 3, BillRunScenario.Patience);
        var day = await (await op.GetAsync($"/v1/bill-runs/{BillRunScenario.Day}")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal(0, day.GetProperty("invoices").GetProperty("failed").GetInt32());
        Assert.Empty(day.GetProperty("failures").EnumerateArray());
        Assert.Equal(3, day.GetProperty("sentOverTime").EnumerateArray().Sum(m => m.GetProperty("sent").GetInt32()));
    }
}
