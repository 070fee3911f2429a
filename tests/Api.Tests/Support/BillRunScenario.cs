using System.Net;
using System.Text.Json;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests.Support;

/// <summary>
/// A billing day, 5 November 2026, over HTTP on a Stripe-backed API: account <see cref="Sending"/> with two tenants
/// whose invoices are sent, <see cref="Failing"/> whose Stripe key was revoked (its invoice fails), and
/// <see cref="Holding"/> with no Stripe connected (its invoice is held).
/// </summary>
public sealed record BillRunScenario(string Sending, string Failing, string FailingSecretKey, string Holding)
{
    public const string Day = "2026-11-05";

    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private const string Statement = """{"usageTotal":50,"quantities":{"minutes_outbound":1000,"local_numbers":2}}""";

    public static async Task<BillRunScenario> RunAsync(StripeApiFactory api)
    {
        var op = api.Operator();
        await SetClockAsync(op, "2026-10-05T00:00:00Z");
        var sending = await ConnectedAccountAsync(op);
        var (failing, failingKey) = await ConnectedAccountWithKeyAsync(op);
        var holding = await Seed.AccountAsync(op);
        string[] tenants = [$"{sending}/north", $"{sending}/south", $"{failing}/east", $"{holding}/west"];
        foreach (var tenant in tenants)
        {
            await Seed.BillableTenantAsync(op, tenant.Split('/')[0], tenant.Split('/')[1]);
        }

        await SetClockAsync(op, "2026-11-02T00:00:00Z");
        foreach (var tenant in tenants)
        {
            await (await op.PutJsonAsync($"{Seed.TenantUrl(tenant.Split('/')[0], tenant.Split('/')[1])}/statements/2026-10", Statement)).ExpectJsonAsync(HttpStatusCode.Created);
        }

        api.Stripe.RevokeApiKey(failingKey);
        await SetClockAsync(op, "2026-11-05T09:00:00Z");
        var scenario = new BillRunScenario(sending, failing, failingKey, holding);
        await Eventually.TrueAsync(
            async () => await InvoicesAsync(op) is { } counts
                && counts.GetProperty("sent").GetInt32() == 2 && counts.GetProperty("failed").GetInt32() == 1 && counts.GetProperty("held").GetInt32() == 1,
            Patience);
        return scenario;
    }

    /// <summary>The day's counts as <paramref name="client"/> sees them.</summary>
    public static async Task<JsonElement> InvoicesAsync(HttpClient client) =>
        (await (await client.GetAsync($"/v1/bill-runs/{Day}")).ExpectJsonAsync(HttpStatusCode.OK)).GetProperty("invoices");

    public static async Task SetClockAsync(HttpClient op, string now) =>
        await (await op.PostJsonAsync("/v1/test-clock", JsonSerializer.Serialize(new { now }))).ExpectJsonAsync(HttpStatusCode.OK);

    private static async Task<string> ConnectedAccountAsync(HttpClient op) => (await ConnectedAccountWithKeyAsync(op)).AccountId;

    private static async Task<(string AccountId, string SecretKey)> ConnectedAccountWithKeyAsync(HttpClient op)
    {
        var accountId = await Seed.AccountAsync(op);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        await Seed.ConnectStripeAsync(op, accountId, secretKey);
        return (accountId, secretKey);
    }
}
