using System.Net;
using System.Text.Json;

namespace TenantBilling.Api.Tests.Support;

/// <summary>
/// The walk-through's invoice (scripts/walkthrough.sh) driven over HTTP: Bob's Bakery in Austin signs up on
/// 1 October 2026, October's statement arrives on 1 November, the invoice goes out on 20 November.
/// Its total, worked out: lines 12.00 + 3.00 + 99.95 = 114.95; the federal USF, 37% of the 64.9% safe
/// harbour of each line, rounded per line, 2.88 + 0.72 + 24.00 = 27.60; total 142.55.
/// </summary>
public static class SandboxInvoice
{
    public const decimal Total = 142.55m;

    public const string TenantId = "bobs-bakery";

    public const string TenantBody = """
        {"name": "Bob's Bakery", "phone": "512 555 0100", "billingEmail": "ap@bobs-bakery.example",
         "contactName": "Bob Baker", "contactPhone": "+15125550101",
         "address": {"line1": "100 Congress Ave", "city": "Austn", "state": "tx", "postalCode": "78701", "country": "US"}}
        """;

    public const string ProfileBody = """
        {"autoCharge": false, "includeTaxes": true, "billingDay": 20,
         "prices": {"minutes_outbound": 0.012, "local_numbers": 1.50},
         "recurringItems": [{"description": "Hosted PBX seat", "quantity": 5, "unitPrice": 19.99, "taxCategory": "voip_seats"}]}
        """;

    public const string StatementBody = """{"usageTotal": 41.20, "quantities": {"minutes_outbound": 1000, "minutes_inbound": 2500, "local_numbers": 2}}""";

    /// <summary>Connects a new account to the sandbox with a test key (as the account, with its own key); returns the account id, its key and the connection answer.</summary>
    public static async Task<(string AccountId, HttpClient Account, JsonElement Connected)> ConnectedAccountAsync(ApiFactory api, HttpClient operatorClient)
    {
        var accountId = await Seed.AccountAsync(operatorClient);
        var (_, key) = await Seed.KeyAsync(operatorClient, accountId);
        var account = api.Client(key);
        var connected = await (await account.PutJsonAsync($"{Seed.AccountUrl(accountId)}/stripe-connection", $$"""{"secretKey":"sk_test_{{Guid.NewGuid():N}}"}"""))
            .ExpectJsonAsync(HttpStatusCode.OK);
        return (accountId, account, connected);
    }

    /// <summary>Runs the walk-through's month for a new account and returns the sent invoice as the API lists it.</summary>
    public static async Task<(string AccountId, JsonElement Invoice)> SendAsync(ApiFactory api, HttpClient operatorClient)
    {
        await ClockAsync(operatorClient, "2026-10-01T12:00:00Z");
        var (accountId, account, _) = await ConnectedAccountAsync(api, operatorClient);
        var tenantUrl = Seed.TenantUrl(accountId, TenantId);
        await (await account.PutJsonAsync(tenantUrl, TenantBody)).ExpectJsonAsync(HttpStatusCode.Created);
        await (await account.SendAsync(HttpMethod.Post, $"{tenantUrl}/address/validate")).ExpectJsonAsync(HttpStatusCode.OK);
        await (await account.PutJsonAsync($"{tenantUrl}/billing-profile", ProfileBody)).ExpectJsonAsync(HttpStatusCode.OK);
        await ClockAsync(operatorClient, "2026-11-01T09:00:00Z");
        await (await operatorClient.PutJsonAsync($"{tenantUrl}/statements/2026-10", StatementBody)).ExpectJsonAsync(HttpStatusCode.Created);
        await ClockAsync(operatorClient, "2026-11-20T09:00:00Z");

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var invoice = Assert.Single((await (await account.GetAsync($"{tenantUrl}/invoices")).ExpectJsonAsync(HttpStatusCode.OK)).EnumerateArray());
            if (invoice.GetProperty("status").GetString() == "sent")
            {
                return (accountId, invoice);
            }

            Assert.True(DateTime.UtcNow < deadline, $"The invoice was not sent within 60 s: {invoice.GetRawText()}");
            await Task.Delay(100);
        }
    }

    public static async Task ClockAsync(HttpClient operatorClient, string now) =>
        await (await operatorClient.PostJsonAsync("/v1/test-clock", $$"""{"now":"{{now}}"}""")).ExpectJsonAsync(HttpStatusCode.OK);
}
