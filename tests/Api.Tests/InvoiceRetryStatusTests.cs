using System.Net;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;
using TenantBilling.StripeSandbox;

namespace TenantBilling.Api.Tests;

/// <summary>
/// An invoice whose Stripe work keeps failing says so in the API while it is retried: the last failure, the
/// failed attempts in a row and when it is tried next (the factory's retry interval is a minute).
/// </summary>
public sealed class InvoiceRetryStatusTests(StripeApiFactory api) : IClassFixture<StripeApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    [Fact]
    public async Task A_failing_invoice_shows_the_reason_the_attempts_and_the_next_attempt_while_it_retries()
    {
        await SetClockAsync("2026-10-05T00:00:00Z");
        var accountId = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        await Seed.ConnectStripeAsync(_operator, accountId, secretKey);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");
        var fault = api.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork)
        {
            Path = "/v1/invoices/*/add_lines", AccountId = api.Stripe.PlatformAccountId(secretKey), Count = null, StatusCode = 503,
        });
        await SetClockAsync("2026-11-02T00:00:00Z");
        await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/statements/2026-10", """{"usageTotal":50,"quantities":{"minutes_outbound":1000}}""");
        var billedAt = DateTimeOffset.Parse("2026-11-21T09:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        await SetClockAsync("2026-11-21T09:00:00Z");

        // The quick attempts are spent; the invoice waits for the retry interval.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement invoice;
        while ((invoice = await InvoiceAsync(accountId)).GetProperty("failedAttempts") is not { ValueKind: JsonValueKind.Number } attempts || attempts.GetInt32() < 5)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The invoice shows no retry within 60 s: {invoice}");
            await Task.Delay(100);
        }

        fault.Remove();
        Assert.Equal("handed_over", invoice.GetProperty("status").GetString());
        Assert.False(string.IsNullOrWhiteSpace(invoice.GetProperty("failureReason").GetString()), invoice.ToString());
        Assert.True(invoice.GetProperty("failedAttempts").GetInt32() >= 5, invoice.ToString());
        var next = invoice.GetProperty("nextAttemptAt").GetDateTimeOffset();
        Assert.InRange(next, billedAt.AddSeconds(55), billedAt.AddMinutes(5));   // a retry interval after the last attempt, on the billing clock
    }

    private async Task SetClockAsync(string now) =>
        await (await _operator.PostJsonAsync("/v1/test-clock", JsonSerializer.Serialize(new { now }))).ExpectJsonAsync(HttpStatusCode.OK);

    private async Task<JsonElement> InvoiceAsync(string accountId)
    {
        var list = await (await _operator.GetAsync($"{Seed.TenantUrl(accountId, "t1")}/invoices")).ExpectJsonAsync(HttpStatusCode.OK);
        return Assert.Single(list.EnumerateArray());
    }
}
