using System.Net;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>A month invoiced again after a void, over HTTP with the test clock against the Stripe fake: the statement route, the preview, the history and the revision ids' 4xx.</summary>
public sealed class RevisionsApiTests(StripeApiFactory api) : IClassFixture<StripeApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    /// <summary>A client repeats a 503 (the fake fails each route's first request once, as Stripe can).</summary>
    private static async Task<HttpResponseMessage> RepeatedAsync(Func<Task<HttpResponseMessage>> send)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await send();
            if (response.StatusCode != HttpStatusCode.ServiceUnavailable || attempt == 8)
            {
                return response;
            }

            Assert.NotNull(response.Headers.RetryAfter);
        }
    }

    private async Task SetClockAsync(string now) =>
        await (await _operator.PostJsonAsync("/v1/test-clock", JsonSerializer.Serialize(new { now }))).ExpectJsonAsync(HttpStatusCode.OK);

    private async Task<JsonElement> InvoiceAsync(string tenantUrl, string invoiceKey, string status)
    {
        JsonElement found = default;
        await Eventually.TrueAsync(
            async () =>
            {
                var list = await (await _operator.GetAsync($"{tenantUrl}/invoices")).ExpectJsonAsync(HttpStatusCode.OK);
                found = list.EnumerateArray().FirstOrDefault(i => i.GetProperty("invoiceKey").GetString() == invoiceKey);
                return found.ValueKind == JsonValueKind.Object && found.GetProperty("status").GetString() == status;
            },
            TimeSpan.FromSeconds(60));
        return found;
    }

    [Fact]
    public async Task A_voided_month_takes_its_statement_again_as_a_revision_shown_in_the_preview_and_the_history_and_its_ids_are_checked()
    {
        await SetClockAsync("2026-10-05T00:00:00Z");
        var accountId = await Seed.AccountAsync(_operator);
        var secret = $"sk_test_{Guid.NewGuid():N}";
        await (await _operator.PutJsonAsync($"{Seed.AccountUrl(accountId)}/stripe-connection", JsonSerializer.Serialize(new { secretKey = secret, webhookSecret = "whsec_revisions" })))
            .ExpectJsonAsync(HttpStatusCode.OK);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        var tenantUrl = Seed.TenantUrl(accountId, "t1");
        const string statement = """{"usageTotal":50,"quantities":{"minutes_outbound":1000}}""";
        await SetClockAsync("2026-11-02T00:00:00Z");
        await (await _operator.PutJsonAsync($"{tenantUrl}/statements/2026-10", statement)).ExpectJsonAsync(HttpStatusCode.Created);
        await SetClockAsync("2026-11-21T09:00:00Z");
        var original = await InvoiceAsync(tenantUrl, $"{accountId}/t1/2026-10", "sent");

        await (await RepeatedAsync(() => _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/invoices/2026-10/void"))).ExpectJsonAsync(HttpStatusCode.OK);
        var revised = await (await _operator.PutJsonAsync($"{tenantUrl}/statements/2026-10", statement)).ExpectJsonAsync(HttpStatusCode.Created);
        var revision = await InvoiceAsync(tenantUrl, $"{accountId}/t1/2026-10-r1", "sent");
        var replayed = await (await _operator.PutJsonAsync($"{tenantUrl}/statements/2026-10", statement)).ExpectJsonAsync(HttpStatusCode.OK);
        var preview = await (await _operator.GetAsync($"{tenantUrl}/invoices/2026-10/preview")).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Equal(("revised", "2026-11-21T09:00:00+00:00"), (revised.GetProperty("outcome").GetString(), revised.GetProperty("scheduledFor").GetString()));
        Assert.Equal("replayed", replayed.GetProperty("outcome").GetString());
        Assert.Equal((1, true), (revision.GetProperty("revision").GetInt32(), revision.GetProperty("current").GetBoolean()));
        var voided = await InvoiceAsync(tenantUrl, $"{accountId}/t1/2026-10", "void");
        Assert.Equal((0, false), (voided.GetProperty("revision").GetInt32(), voided.GetProperty("current").GetBoolean()));
        Assert.Equal($"{accountId}/t1/2026-10-r1", preview.GetProperty("invoiceKey").GetString());
        var revises = preview.GetProperty("revision");
        Assert.Equal((1, $"{accountId}/t1/2026-10", original.GetProperty("number").GetString()),
            (revises.GetProperty("number").GetInt32(), revises.GetProperty("revises").GetString(), revises.GetProperty("revisesNumber").GetString()));
        Assert.Equal(2, api.Stripe.Invoices(api.Stripe.PlatformAccountId(secret)).Count);

        // A revision's id names it on the correction routes; ids no month can have are 400s, a revision not made a 404.
        foreach (var bad in new[] { "2026-10-r0", "2026-13-r1", "2026-10-r", "2026-10-r1000", "2026-10-R1" })
        {
            var problem = await (await _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/invoices/{bad}/void")).ExpectProblemAsync(HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("invoiceId", out _), bad);
        }

        await (await _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/invoices/2026-10-r2/void")).ExpectProblemAsync(HttpStatusCode.NotFound);
        var credit = await (await _operator.PostJsonAsync($"{tenantUrl}/invoices/2026-10-r1/credit", """{"requestId":"c1","destination":"balance","lines":[{"lineRef":"minutes_outbound"}]}"""))
            .ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("/invoices/2026-10-r1/void", credit.GetProperty("title").GetString(), StringComparison.Ordinal);

        // Other content while the revision is open voids it first: the month's second revision.
        var corrected = await (await RepeatedAsync(() => _operator.PutJsonAsync($"{tenantUrl}/statements/2026-10", """{"usageTotal":50,"quantities":{"minutes_outbound":900}}""")))
            .ExpectJsonAsync(HttpStatusCode.Created);
        Assert.Equal("revised", corrected.GetProperty("outcome").GetString());
        await InvoiceAsync(tenantUrl, $"{accountId}/t1/2026-10-r1", "void");
        var second = await InvoiceAsync(tenantUrl, $"{accountId}/t1/2026-10-r2", "sent");
        Assert.Equal((2, true), (second.GetProperty("revision").GetInt32(), second.GetProperty("current").GetBoolean()));
    }
}
