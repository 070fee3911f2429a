using System.Net;
using System.Text;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>Statements one at a time (PUT) and in NDJSON batches, as the carrier delivers them.</summary>
public sealed class StatementTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string October = """{"usageTotal":12.5,"quantities":{"minutes_outbound":100,"local_numbers":2}}""";

    private readonly HttpClient _operator = api.Operator();

    [Fact]
    public async Task A_statement_is_201_when_new_200_when_replayed_and_200_when_replaced()
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        var url = $"{Seed.TenantUrl(accountId, "t1")}/statements/2026-10";

        var created = await _operator.PutJsonAsync(url, October);
        var replayed = await _operator.PutJsonAsync(url, """{"quantities":{"minutes_short_duration":0,"local_numbers":2.0,"minutes_outbound":100},"usageTotal":12.50}""");
        var replaced = await _operator.PutJsonAsync(url, """{"usageTotal":12.5,"quantities":{"minutes_outbound":250}}""");

        // The profile was created in November, so October is kept but not billed: every answer says so.
        static string Summary(JsonElement answer) =>
            $"{answer.GetProperty("period").GetString()} {answer.GetProperty("outcome").GetString()} {answer.GetProperty("scheduledFor").ValueKind} {answer.GetProperty("reason").GetProperty("code").GetString()}";
        Assert.Equal("2026-10 created Null before_first_billed_month", Summary(await created.ExpectJsonAsync(HttpStatusCode.Created)));
        Assert.Equal(url, created.Headers.Location?.OriginalString);
        Assert.Equal("2026-10 replayed Null before_first_billed_month", Summary(await replayed.ExpectJsonAsync(HttpStatusCode.OK)));
        Assert.Equal("2026-10 replaced Null before_first_billed_month", Summary(await replaced.ExpectJsonAsync(HttpStatusCode.OK)));
        var preview = await (await _operator.GetAsync($"{Seed.TenantUrl(accountId, "t1")}/invoices/2026-10/preview")).ExpectJsonAsync(HttpStatusCode.OK);
        var usage = preview.GetProperty("lines").EnumerateArray().Where(l => l.GetProperty("productCode").ValueKind == JsonValueKind.String).ToList();
        Assert.Equal("minutes_outbound 250", string.Join(";", usage.Select(l => $"{l.GetProperty("productCode").GetString()} {l.GetProperty("quantity").GetDecimal()}")));
    }

    [Fact]
    public async Task A_statement_of_the_profile_s_first_month_is_scheduled_for_the_next_billing_day()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var tenantUrl = Seed.TenantUrl(accountId, "t1");
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        await MoveTestClockAsync(new DateTimeOffset(2026, 12, 2, 9, 0, 0, TimeSpan.Zero));
        try
        {
            var accepted = await (await _operator.PutJsonAsync($"{tenantUrl}/statements/2026-11", October)).ExpectJsonAsync(HttpStatusCode.Created);

            Assert.Equal("""{"period":"2026-11","outcome":"created","scheduledFor":"2026-12-05T00:00:00+00:00","reason":null}""", accepted.GetRawText());
            var tenant = await (await _operator.GetAsync(tenantUrl)).ExpectJsonAsync(HttpStatusCode.OK);
            Assert.Equal("""{"period":"2026-11","dueAt":"2026-12-05T00:00:00+00:00"}""", tenant.GetProperty("nextInvoice").GetRawText());
            var invoice = (await (await _operator.GetAsync($"{tenantUrl}/invoices")).ExpectJsonAsync(HttpStatusCode.OK)).EnumerateArray().Single();
            Assert.Equal("2026-11 scheduled 2026-12-05T00:00:00+00:00", $"{invoice.GetProperty("period").GetString()} {invoice.GetProperty("status").GetString()} {invoice.GetProperty("dueAt").GetDateTimeOffset():yyyy-MM-ddTHH:mm:sszzz}");
        }
        finally
        {
            await MoveTestClockAsync(ApiFactory.Now);
        }
    }

    [Theory]
    [InlineData("2026-11", "2026-11 has not ended yet: statements are for closed months (UTC).")]
    [InlineData("2027-01", "2027-01 has not ended yet: statements are for closed months (UTC).")]
    [InlineData("2026-1", "A month as yyyy-MM from 2000-01 to 2099-12 (e.g. 2026-10).")]
    [InlineData("2026-13", "A month as yyyy-MM from 2000-01 to 2099-12 (e.g. 2026-10).")]
    public async Task A_period_that_is_not_a_closed_month_is_400_naming_period(string period, string message)
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");

        var problem = await (await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/statements/{period}", October)).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal([message], problem.ErrorsOf("period"));
        Assert.Equal(["period"], problem.ErrorFields());
        Assert.Empty((await (await _operator.GetAsync($"{Seed.TenantUrl(accountId, "t1")}/invoices")).ExpectJsonAsync(HttpStatusCode.OK)).EnumerateArray());
    }

    [Fact]
    public async Task A_statement_for_an_unknown_tenant_or_account_is_404()
    {
        var accountId = await Seed.AccountAsync(_operator);

        var problem = await (await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "nobody")}/statements/2026-10", October)).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await _operator.PutJsonAsync($"{Seed.TenantUrl(Seed.NewId("missing"), "t1")}/statements/2026-10", October)).ExpectProblemAsync(HttpStatusCode.NotFound);

        Assert.Equal("Tenant 'nobody' was not found.", problem.GetProperty("title").GetString());
        Assert.Equal(0, (await (await _operator.GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK)).GetProperty("tenantCount").GetInt32());
    }

    [Theory]
    [InlineData("""{"usageTotal":1,"quantities":{"x":1}}""", "quantities.x", "Unknown product code. Known: sip_channels, minutes_inbound, minutes_inbound_toll_free, minutes_outbound, minutes_international, minutes_short_duration, local_numbers, toll_free_numbers.")]
    [InlineData("""{"usageTotal":1,"quantities":{"minutes_outbound":-1}}""", "quantities.minutes_outbound", "Must be zero or more.")]
    [InlineData("""{"usageTotal":1,"quantities":{"minutes_outbound":0.0000001}}""", "quantities.minutes_outbound", "At most 6 decimal places.")]
    [InlineData("""{"usageTotal":1,"quantities":{"minutes_outbound":1000000001}}""", "quantities.minutes_outbound", "Must be at most 1000000000.")]
    [InlineData("""{"usageTotal":1,"quantities":{"minutes_outbound":null}}""", "quantities.minutes_outbound", "Required.")]
    [InlineData("""{"quantities":{}}""", "usageTotal", "Required.")]
    [InlineData("""{"usageTotal":-0.01,"quantities":{}}""", "usageTotal", "Must be zero or more.")]
    [InlineData("""{"usageTotal":1}""", "quantities", "Required (an object of productCode: quantity; may be empty).")]
    public async Task An_invalid_statement_is_400_naming_the_field_and_stores_nothing(string body, string field, string message)
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");

        var problem = await (await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/statements/2026-10", body)).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal([field], problem.ErrorFields());
        Assert.Equal([message], problem.ErrorsOf(field));
        await (await _operator.GetAsync($"{Seed.TenantUrl(accountId, "t1")}/invoices/2026-10/preview")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_batch_answers_every_non_blank_line_with_its_own_status_in_line_order()
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        await Seed.BillableTenantAsync(_operator, accountId, "t2");
        string Line(string tenantId, string period, string quantities = """{"minutes_outbound":100}""") =>
            $$"""{"accountId":"{{accountId}}","tenantId":"{{tenantId}}","period":"{{period}}","usageTotal":3.5,"quantities":{{quantities}}}""";
        var lines = new[]
        {
            Line("t1", "2026-10"),
            "",
            Line("t1", "2026-10"),
            Line("nobody", "2026-10"),
            """{"accountId":""",
            Line("t2", "2026-10", """{"x":1}"""),
            Line("t2", "2026-11"),
            "   \r",
            Line("t2", "2026-09") + "\r",
            Line("t2", "2026-10").Replace(accountId, "Bad Id", StringComparison.Ordinal),
            "[]",
            Line("t1", "2026-10", """{"minutes_outbound":150}"""),
            Line("t2", "2026-08"),
        };

        var response = await _operator.SendAsync(HttpMethod.Post, "/v1/statements/batch", string.Join("\n", lines), Http.NdJson);

        var text = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Http.NdJson, response.Content.Headers.ContentType?.MediaType);
        var results = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            [
                "1 201 t1 created", "3 200 t1 replayed", "4 404 nobody -", "5 400 - -", "6 400 t2 -", "7 400 t2 -",
                "9 201 t2 created", "10 400 t2 -", "11 400 - -", "12 200 t1 replaced", "13 201 t2 created",
            ],
            results.Select(r => $"{r.GetProperty("line").GetInt32()} {r.GetProperty("status").GetInt32()} {Text(r, "tenantId")} {Text(r, "outcome")}"));
        Assert.Equal(["quantities.x"], results[4].ErrorFields());
        Assert.Equal(["period"], results[5].ErrorFields());
        Assert.Equal(["accountId"], results[7].ErrorFields());
        Assert.Equal("Tenant 'nobody' was not found.", results[2].GetProperty("error").GetString());
        var preview = await (await _operator.GetAsync($"{Seed.TenantUrl(accountId, "t1")}/invoices/2026-10/preview")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Contains(preview.GetProperty("lines").EnumerateArray(), l => l.GetProperty("lineRef").GetString() == "minutes_outbound" && l.GetProperty("quantity").GetDecimal() == 150);
    }

    [Fact]
    public async Task A_batch_line_over_64_KB_fails_alone_and_the_next_line_is_processed()
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        var longLine = $$$"""{"accountId":"{{{accountId}}}","tenantId":"t1","period":"2026-10","usageTotal":1,"quantities":{},"pad":"{{{new string('x', 70_000)}}}"}""";
        var goodLine = $$$"""{"accountId":"{{{accountId}}}","tenantId":"t1","period":"2026-09","usageTotal":1,"quantities":{}}""";

        var response = await _operator.SendAsync(HttpMethod.Post, "/v1/statements/batch", $"{longLine}\n{goodLine}\n", Http.NdJson);

        var results = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(["1 400 Line longer than 65536 bytes.", "2 201 "], results.Select(r => $"{r.GetProperty("line").GetInt32()} {r.GetProperty("status").GetInt32()} {Text(r, "error").Replace("-", "", StringComparison.Ordinal)}"));
    }

    [Fact]
    public async Task Many_batch_lines_processed_concurrently_are_still_answered_in_line_order()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var tenants = Enumerable.Range(0, 20).Select(i => $"t{i}").ToList();
        foreach (var tenantId in tenants)
        {
            await Seed.TenantAsync(_operator, accountId, tenantId);
        }

        var body = new StringBuilder();
        for (var i = 0; i < 1000; i++)
        {
            var period = $"2025-{i % 12 + 1:D2}";
            body.Append($$$"""{"accountId":"{{{accountId}}}","tenantId":"{{{tenants[i % tenants.Count]}}}","period":"{{{period}}}","usageTotal":{{{i}}},"quantities":{}}""").Append('\n');
        }

        var response = await _operator.SendAsync(HttpMethod.Post, "/v1/statements/batch", body.ToString(), Http.NdJson);

        // Each result must belong to its own line (same tenant and month), not just carry the next number.
        // Tenant i % 20 and month i % 12 repeat every 60 lines, so 60 statements are new and the rest replace them.
        var results = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Enumerable.Range(1, 1000), results.Select(r => r.GetProperty("line").GetInt32()));
        Assert.Equal(
            Enumerable.Range(0, 1000).Select(i => $"{tenants[i % tenants.Count]} 2025-{i % 12 + 1:D2}"),
            results.Select(r => $"{r.GetProperty("tenantId").GetString()} {r.GetProperty("period").GetString()}"));
        Assert.Equal(60, results.Count(r => r.GetProperty("status").GetInt32() == 201 && r.GetProperty("outcome").GetString() == "created"));
        Assert.Equal(940, results.Count(r => r.GetProperty("status").GetInt32() == 200 && r.GetProperty("outcome").GetString() == "replaced"));
    }

    private static string Text(JsonElement result, string property) =>
        result.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "-";

    private async Task MoveTestClockAsync(DateTimeOffset now)
    {
        var clock = await (await _operator.PostJsonAsync("/v1/test-clock", JsonSerializer.Serialize(new { now }))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal(now, clock.GetProperty("now").GetDateTimeOffset());
    }
}
