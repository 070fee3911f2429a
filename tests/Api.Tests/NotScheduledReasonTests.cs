using System.Net;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>
/// A statement that schedules nothing, and the preview of a month that is not going to be sent, say why:
/// no billing profile, a month before the profile's first billed month, or a month already invoiced.
/// The factory's clock stands at 2026-11-15, so a profile made here bills from November.
/// </summary>
public sealed class NotScheduledReasonTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string Usage = """{"usageTotal":12.5,"quantities":{"minutes_outbound":100,"local_numbers":2}}""";

    private readonly HttpClient _operator = api.Operator();

    [Fact]
    public async Task A_statement_for_a_tenant_without_a_profile_is_kept_and_says_it_is_not_billed_for_want_of_a_profile()
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.TenantAsync(_operator, accountId, "t1");
        var tenantUrl = Seed.TenantUrl(accountId, "t1");

        var accepted = await (await _operator.PutJsonAsync($"{tenantUrl}/statements/2026-10", Usage)).ExpectJsonAsync(HttpStatusCode.Created);
        var replayed = await (await _operator.PutJsonAsync($"{tenantUrl}/statements/2026-10", Usage)).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Equal(JsonValueKind.Null, accepted.GetProperty("scheduledFor").ValueKind);
        Assert.Equal(
            """{"code":"no_billing_profile","message":"The tenant has no billing profile: the statement for 2026-10 is kept but not billed (a profile bills from the month it is created)."}""",
            accepted.GetProperty("reason").GetRawText());
        Assert.Equal(accepted.GetProperty("reason").GetRawText(), replayed.GetProperty("reason").GetRawText());
        var preview = await (await _operator.GetAsync($"{tenantUrl}/invoices/2026-10/preview")).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Equal("The tenant has no billing profile, so 2026-10 can't be composed and is not billed.", preview.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_statement_before_the_profile_s_first_month_says_so_and_its_preview_says_it_will_never_be_billed()
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        var tenantUrl = Seed.TenantUrl(accountId, "t1");

        var accepted = await (await _operator.PutJsonAsync($"{tenantUrl}/statements/2026-10", Usage)).ExpectJsonAsync(HttpStatusCode.Created);
        var preview = await (await _operator.GetAsync($"{tenantUrl}/invoices/2026-10/preview")).ExpectJsonAsync(HttpStatusCode.OK);

        const string reason =
            """{"code":"before_first_billed_month","message":"The billing profile bills from 2026-11 (the month it was created); 2026-10 is before that, so it is kept but never billed."}""";
        Assert.Equal(JsonValueKind.Null, accepted.GetProperty("scheduledFor").ValueKind);
        Assert.Equal(reason, accepted.GetProperty("reason").GetRawText());
        Assert.Equal(JsonValueKind.Null, preview.GetProperty("scheduledFor").ValueKind);
        Assert.Equal(reason, preview.GetProperty("reason").GetRawText());
        Assert.NotEmpty(preview.GetProperty("lines").EnumerateArray());
        Assert.Empty((await (await _operator.GetAsync($"{tenantUrl}/invoices")).ExpectJsonAsync(HttpStatusCode.OK)).EnumerateArray());
    }

    [Fact]
    public async Task A_batch_line_that_schedules_nothing_carries_the_same_reason()
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.TenantAsync(_operator, accountId, "bare");
        await Seed.BillableTenantAsync(_operator, accountId, "billable");
        string Line(string tenantId) =>
            $$$"""{"accountId":"{{{accountId}}}","tenantId":"{{{tenantId}}}","period":"2026-10","usageTotal":1,"quantities":{}}""";

        var response = await _operator.SendAsync(HttpMethod.Post, "/v1/statements/batch", $"{Line("bare")}\n{Line("billable")}\n", Http.NdJson);

        var results = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            ["bare 201 no_billing_profile", "billable 201 before_first_billed_month"],
            results.Select(r => $"{r.GetProperty("tenantId").GetString()} {r.GetProperty("status").GetInt32()} {r.GetProperty("reason").GetProperty("code").GetString()}"));
    }

    [Fact]
    public async Task A_scheduled_month_has_no_reason_and_once_invoiced_its_replay_and_preview_say_it_was_invoiced()
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        var tenantUrl = Seed.TenantUrl(accountId, "t1");
        await MoveTestClockAsync(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
        try
        {
            var accepted = await (await _operator.PutJsonAsync($"{tenantUrl}/statements/2026-11", Usage)).ExpectJsonAsync(HttpStatusCode.Created);
            var scheduledPreview = await (await _operator.GetAsync($"{tenantUrl}/invoices/2026-11/preview")).ExpectJsonAsync(HttpStatusCode.OK);

            Assert.Equal("2026-12-05T00:00:00+00:00 Null", $"{accepted.GetProperty("scheduledFor").GetString()} {accepted.GetProperty("reason").ValueKind}");
            Assert.Equal("2026-12-05T00:00:00+00:00 Null", $"{scheduledPreview.GetProperty("scheduledFor").GetString()} {scheduledPreview.GetProperty("reason").ValueKind}");

            // Past the billing day the invoice is handed over (the account has no Stripe, so it is held there).
            await MoveTestClockAsync(new DateTimeOffset(2026, 12, 6, 0, 0, 0, TimeSpan.Zero));
            await Eventually.TrueAsync(
                async () =>
                {
                    var invoices = await (await _operator.GetAsync($"{tenantUrl}/invoices")).ExpectJsonAsync(HttpStatusCode.OK);
                    return invoices.EnumerateArray().Any(i => i.GetProperty("status").GetString() is not ("scheduled" or "composing"));
                },
                TimeSpan.FromSeconds(60));

            var replayed = await (await _operator.PutJsonAsync($"{tenantUrl}/statements/2026-11", Usage)).ExpectJsonAsync(HttpStatusCode.OK);
            var invoicedPreview = await (await _operator.GetAsync($"{tenantUrl}/invoices/2026-11/preview")).ExpectJsonAsync(HttpStatusCode.OK);

            const string reason = """{"code":"already_invoiced","message":"2026-11 has already been invoiced; its invoice is in the tenant's invoice list."}""";
            Assert.Equal("replayed Null", $"{replayed.GetProperty("outcome").GetString()} {replayed.GetProperty("scheduledFor").ValueKind}");
            Assert.Equal(reason, replayed.GetProperty("reason").GetRawText());
            Assert.Equal(JsonValueKind.Null, invoicedPreview.GetProperty("scheduledFor").ValueKind);
            Assert.Equal(reason, invoicedPreview.GetProperty("reason").GetRawText());
        }
        finally
        {
            await MoveTestClockAsync(ApiFactory.Now);
        }
    }

    private async Task MoveTestClockAsync(DateTimeOffset now)
    {
        var clock = await (await _operator.PostJsonAsync("/v1/test-clock", JsonSerializer.Serialize(new { now }))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal(now, clock.GetProperty("now").GetDateTimeOffset());
    }
}
