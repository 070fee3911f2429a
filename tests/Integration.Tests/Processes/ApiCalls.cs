using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TenantBilling.Integration.Tests.Processes;

/// <summary>The few API calls the process tests set a cluster up with, failing with the answer's body when one goes wrong.</summary>
public static class ApiCalls
{
    public static string TenantUrl(string accountId, string tenantId) => $"/v1/accounts/{accountId}/tenants/{tenantId}";

    public static readonly string TenantBody = JsonSerializer.Serialize(new
    {
        name = "Acme Dental",
        phone = "(213) 555-0100",
        billingEmail = "billing@acme.example",
        contactName = "Jane Roe",
        contactPhone = "+12135550101",
        address = new { line1 = "200 N Spring St", line2 = "Suite 100", city = "Los Angeles", state = "CA", postalCode = "90012", country = "US" },
    });

    public const string ProfileBody =
        """
        {
          "autoCharge": false, "includeTaxes": true, "billingDay": 5,
          "prices": { "minutes_outbound": 0.012, "local_numbers": 1.5 },
          "recurringItems": [ { "description": "Support plan", "quantity": 1, "unitPrice": 30, "taxCategory": "non_taxable" } ]
        }
        """;

    /// <summary>Creates an account and issues a key for it; returns the key's id and the key.</summary>
    public static async Task<(string KeyId, string Key)> AccountWithKeyAsync(HttpClient operatorClient, string accountId)
    {
        await ExpectAsync(await operatorClient.PostAsJsonAsync("/v1/accounts", new { accountId, name = $"Reseller {accountId}" }), HttpStatusCode.Created);
        var issued = await ExpectAsync(await operatorClient.PostAsync($"/v1/accounts/{accountId}/api-keys", null), HttpStatusCode.Created);
        return (issued.GetProperty("keyId").GetString()!, issued.GetProperty("key").GetString()!);
    }

    public static async Task TenantAsync(HttpClient client, string accountId, string tenantId) =>
        await ExpectAsync(await client.PutAsync(TenantUrl(accountId, tenantId), Json(TenantBody)), HttpStatusCode.Created, HttpStatusCode.OK);

    /// <summary>A tenant with a validated address and <see cref="ProfileBody"/> as its billing profile (billing day 5).</summary>
    public static async Task BillableTenantAsync(HttpClient client, string accountId, string tenantId)
    {
        await TenantAsync(client, accountId, tenantId);
        await ExpectAsync(await client.PostAsync($"{TenantUrl(accountId, tenantId)}/address/validate", null), HttpStatusCode.OK);
        await ExpectAsync(await client.PutAsync($"{TenantUrl(accountId, tenantId)}/billing-profile", Json(ProfileBody)), HttpStatusCode.OK);
    }

    public static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    /// <summary>The answer's JSON body when its status is one of <paramref name="expected"/>; otherwise fails with the status and body.</summary>
    public static async Task<JsonElement> ExpectAsync(HttpResponseMessage response, params HttpStatusCode[] expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected.Contains(response.StatusCode), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: expected {string.Join(" or ", expected)}, got {(int)response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }
}
