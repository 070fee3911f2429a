using System.Net;
using System.Text.Json;

namespace TenantBilling.Api.Tests.Support;

/// <summary>Valid bodies and the steps that set up an account and its tenants through the API.</summary>
public static class Seed
{
    /// <summary>A fresh id of the account-id shape, so tests sharing a silo never meet.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static string TenantBody(
        string name = "Acme Dental", string line1 = "200 N Spring St", string? line2 = "Suite 100",
        string city = "Los Angeles", string state = "CA", string postalCode = "90012") =>
        JsonSerializer.Serialize(new
        {
            name,
            phone = "(213) 555-0100",
            billingEmail = "billing@acme.example",
            contactName = "Jane Roe",
            contactPhone = "+12135550101",
            address = new { line1, line2, city, state, postalCode, country = "US" },
        });

    public const string ProfileBody =
        """
        {
          "autoCharge": false,
          "includeTaxes": true,
          "billingDay": 5,
          "prices": { "minutes_outbound": 0.012, "local_numbers": 1.5 },
          "recurringItems": [ { "description": "Support plan", "quantity": 1, "unitPrice": 30, "taxCategory": "non_taxable" } ]
        }
        """;

    public static string AccountUrl(string accountId) => $"/v1/accounts/{accountId}";

    public static string TenantUrl(string accountId, string tenantId) => $"/v1/accounts/{accountId}/tenants/{tenantId}";

    public static async Task<string> AccountAsync(HttpClient operatorClient, string? accountId = null)
    {
        accountId ??= NewId("acct");
        var response = await operatorClient.PostJsonAsync("/v1/accounts", JsonSerializer.Serialize(new { accountId, name = $"Reseller {accountId}" }));
        await response.ExpectJsonAsync(HttpStatusCode.Created);
        return accountId;
    }

    /// <summary>Issues an account key; returns its id and the key itself.</summary>
    public static async Task<(string KeyId, string Key)> KeyAsync(HttpClient operatorClient, string accountId)
    {
        var issued = await (await operatorClient.SendAsync(HttpMethod.Post, $"{AccountUrl(accountId)}/api-keys")).ExpectJsonAsync(HttpStatusCode.Created);
        return (issued.GetProperty("keyId").GetString()!, issued.GetProperty("key").GetString()!);
    }

    public static async Task TenantAsync(HttpClient client, string accountId, string tenantId, string? body = null)
    {
        var response = await client.PutJsonAsync(TenantUrl(accountId, tenantId), body ?? TenantBody());
        Assert.True(response.StatusCode is HttpStatusCode.Created or HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
    }

    /// <summary>A tenant with a validated address and <see cref="ProfileBody"/> as its billing profile.</summary>
    /// <summary>Connects the account to the Stripe of <paramref name="secretKey"/> (and its webhook secret, when given).</summary>
    public static async Task ConnectStripeAsync(HttpClient client, string accountId, string secretKey, string? webhookSecret = null)
    {
        var body = webhookSecret is null ? JsonSerializer.Serialize(new { secretKey }) : JsonSerializer.Serialize(new { secretKey, webhookSecret });
        await (await client.PutJsonAsync($"{AccountUrl(accountId)}/stripe-connection", body)).ExpectJsonAsync(HttpStatusCode.OK);
    }

    /// <summary>The tenant's invoice that <paramref name="which"/> picks, once it is sent; fails after 60 s with the list as last read.</summary>
    public static async Task<JsonElement> SentInvoiceAsync(HttpClient client, string tenantUrl, Func<JsonElement, bool> which)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var list = await (await client.GetAsync($"{tenantUrl}/invoices")).ExpectJsonAsync(HttpStatusCode.OK);
            var invoice = list.EnumerateArray().SingleOrDefault(which);
            if (invoice.ValueKind == JsonValueKind.Object && invoice.GetProperty("status").GetString() == "sent")
            {
                return invoice;
            }

            Assert.True(DateTime.UtcNow < deadline, $"The invoice was not sent within 60 s: {list}");
            await Task.Delay(100);
        }
    }

    public static async Task BillableTenantAsync(HttpClient client, string accountId, string tenantId)
    {
        await TenantAsync(client, accountId, tenantId);
        await (await client.SendAsync(HttpMethod.Post, $"{TenantUrl(accountId, tenantId)}/address/validate")).ExpectJsonAsync(HttpStatusCode.OK);
        await (await client.PutJsonAsync($"{TenantUrl(accountId, tenantId)}/billing-profile", ProfileBody)).ExpectJsonAsync(HttpStatusCode.OK);
    }
}
