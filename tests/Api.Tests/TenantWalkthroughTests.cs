using System.Net;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>The portal's path through the API: account, key, tenant, address validation, billing profile.</summary>
public sealed class TenantWalkthroughTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    [Fact]
    public async Task Account_key_tenant_validated_address_and_billing_profile()
    {
        var accountId = Seed.NewId("walk");
        var created = await _operator.PostJsonAsync("/v1/accounts", JsonSerializer.Serialize(new { accountId, name = "Walk Telecom" }));
        var account = await created.ExpectJsonAsync(HttpStatusCode.Created);
        Assert.Equal($"/v1/accounts/{accountId}", created.Headers.Location?.OriginalString);
        Assert.Equal(accountId, account.GetProperty("accountId").GetString());
        Assert.Equal("Walk Telecom", account.GetProperty("name").GetString());
        Assert.Equal(ApiFactory.Now, account.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal("not_connected", account.GetProperty("stripe").GetProperty("mode").GetString());
        Assert.Equal(0, account.GetProperty("tenantCount").GetInt32());
        await (await _operator.PostJsonAsync("/v1/accounts", JsonSerializer.Serialize(new { accountId, name = "Again" }))).ExpectProblemAsync(HttpStatusCode.Conflict);

        var (_, key) = await Seed.KeyAsync(_operator, accountId);
        var client = api.Client(key);
        var tenantUrl = Seed.TenantUrl(accountId, "dental-1");
        var given = Seed.TenantBody(city: "Hollywood", state: "ca");

        var first = await client.PutJsonAsync(tenantUrl, given);
        var tenant = await first.ExpectJsonAsync(HttpStatusCode.Created);
        Assert.Equal(tenantUrl, first.Headers.Location?.OriginalString);
        Assert.Equal("+12135550100", tenant.GetProperty("phone").GetString());
        Assert.Equal("Hollywood", tenant.GetProperty("address").GetProperty("city").GetString());
        Assert.False(tenant.GetProperty("addressStatus").GetProperty("validated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, tenant.GetProperty("billingProfile").ValueKind);
        await (await client.PutJsonAsync(tenantUrl, given)).ExpectJsonAsync(HttpStatusCode.OK);

        var early = await (await client.PutJsonAsync($"{tenantUrl}/billing-profile", Seed.ProfileBody)).ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("address must be validated", early.GetProperty("title").GetString(), StringComparison.Ordinal);

        var validation = await (await client.SendAsync(HttpMethod.Post, $"{tenantUrl}/address/validate")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal(
            """{"line1":"200 N Spring St","line2":"Suite 100","city":"Los Angeles","state":"CA","postalCode":"90012","country":"US"}""",
            validation.GetProperty("address").GetRawText());
        Assert.Equal(
            """{"state":"CA","countyName":"Los Angeles","countyFips":"06037","city":"Los Angeles"}""",
            validation.GetProperty("jurisdiction").GetRawText());
        Assert.Equal(
            """[{"field":"city","from":"Hollywood","to":"Los Angeles"},{"field":"state","from":"ca","to":"CA"}]""",
            validation.GetProperty("corrections").GetRawText());

        var validated = await (await client.GetAsync(tenantUrl)).ExpectJsonAsync(HttpStatusCode.OK);
        var status = validated.GetProperty("addressStatus");
        Assert.True(status.GetProperty("validated").GetBoolean());
        Assert.Equal(ApiFactory.Now, status.GetProperty("validatedAt").GetDateTimeOffset());
        Assert.Equal(validation.GetProperty("jurisdiction").GetRawText(), status.GetProperty("jurisdiction").GetRawText());
        Assert.Equal(validation.GetProperty("corrections").GetRawText(), status.GetProperty("corrections").GetRawText());
        Assert.Equal(validation.GetProperty("address").GetRawText(), validated.GetProperty("address").GetRawText());

        var profile = await (await client.PutJsonAsync($"{tenantUrl}/billing-profile", Seed.ProfileBody)).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.False(profile.GetProperty("autoCharge").GetBoolean());
        Assert.True(profile.GetProperty("includeTaxes").GetBoolean());
        Assert.Equal(5, profile.GetProperty("billingDay").GetInt32());
        Assert.Equal("""{"minutes_outbound":0.012,"local_numbers":1.5}""", profile.GetProperty("prices").GetRawText());
        Assert.Equal(
            """[{"description":"Support plan","quantity":1,"unitPrice":30,"taxCategory":"non_taxable"}]""",
            profile.GetProperty("recurringItems").GetRawText());
        Assert.Equal("2026-11", profile.GetProperty("firstPeriod").GetString());
        Assert.Equal(ApiFactory.Now, profile.GetProperty("createdAt").GetDateTimeOffset());

        var withProfile = await (await client.GetAsync(tenantUrl)).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal(profile.GetRawText(), withProfile.GetProperty("billingProfile").GetRawText());
        Assert.Equal(profile.GetRawText(), (await (await client.GetAsync($"{tenantUrl}/billing-profile")).ExpectJsonAsync(HttpStatusCode.OK)).GetRawText());
        Assert.Equal(1, (await (await client.GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK)).GetProperty("tenantCount").GetInt32());
    }

    [Fact]
    public async Task Saving_the_same_address_keeps_it_validated_and_changing_it_unvalidates_it()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var tenantUrl = Seed.TenantUrl(accountId, "t1");
        await Seed.BillableTenantAsync(_operator, accountId, "t1");

        var renamed = await (await _operator.PutJsonAsync(tenantUrl, Seed.TenantBody(name: "Acme Dental West"))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.True(renamed.GetProperty("addressStatus").GetProperty("validated").GetBoolean());

        var moved = await (await _operator.PutJsonAsync(tenantUrl, Seed.TenantBody(line1: "201 N Spring St"))).ExpectJsonAsync(HttpStatusCode.OK);
        var status = moved.GetProperty("addressStatus");
        Assert.False(status.GetProperty("validated").GetBoolean());
        Assert.Equal(JsonValueKind.Null, status.GetProperty("jurisdiction").ValueKind);
        Assert.Equal("201 N Spring St", moved.GetProperty("address").GetProperty("line1").GetString());
        Assert.False((await (await _operator.GetAsync(tenantUrl)).ExpectJsonAsync(HttpStatusCode.OK)).GetProperty("addressStatus").GetProperty("validated").GetBoolean());
        await (await _operator.PutJsonAsync($"{tenantUrl}/billing-profile", Seed.ProfileBody)).ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    [Theory]
    [InlineData("Los Angeles", "TX", "90012", "address.state", "ZIP code 90012 is in CA, not \"TX\". Expected: CA.")]
    [InlineData("Austin", "TX", "90012", "address.city", "City \"Austin\" is not the city of ZIP code 90012 (Los Angeles). Expected: Los Angeles.")]
    [InlineData("Los Angeles", "CA", "99999", "address.postalCode", "ZIP code 99999 does not exist.")]
    public async Task A_mismatching_address_is_422_naming_the_field_and_the_expected_value_and_stays_unvalidated(
        string city, string state, string postalCode, string field, string message)
    {
        var accountId = await Seed.AccountAsync(_operator);
        var tenantUrl = Seed.TenantUrl(accountId, "t1");
        await Seed.TenantAsync(_operator, accountId, "t1", Seed.TenantBody(city: city, state: state, postalCode: postalCode));
        var before = await (await _operator.GetAsync(tenantUrl)).Content.ReadAsStringAsync();

        var problem = await (await _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/address/validate")).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Equal("The address does not match the ZIP database.", problem.GetProperty("title").GetString());
        Assert.Equal([message], problem.ErrorsOf(field));
        Assert.Equal(before, await (await _operator.GetAsync(tenantUrl)).Content.ReadAsStringAsync());
        await (await _operator.PutJsonAsync($"{tenantUrl}/billing-profile", Seed.ProfileBody)).ExpectProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Tenants_are_listed_in_id_order_a_page_at_a_time()
    {
        var accountId = await Seed.AccountAsync(_operator);
        foreach (var tenantId in new[] { "t-d", "t-b", "t-e", "t-a", "t-c" })
        {
            await Seed.TenantAsync(_operator, accountId, tenantId);
        }

        var list = $"{Seed.AccountUrl(accountId)}/tenants";
        Assert.Equal("t-a,t-b → t-b", await PageAsync($"{list}?limit=2"));
        Assert.Equal("t-c,t-d → t-d", await PageAsync($"{list}?limit=2&after=t-b"));
        Assert.Equal("t-e → end", await PageAsync($"{list}?limit=2&after=t-d"));
        Assert.Equal("t-a,t-b,t-c,t-d,t-e → end", await PageAsync(list));
        Assert.Equal("t-c,t-d,t-e → end", await PageAsync($"{list}?after=t-bb"));
        Assert.Equal(["limit"], (await (await _operator.GetAsync($"{list}?limit=0")).ExpectProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
        Assert.Equal(["limit"], (await (await _operator.GetAsync($"{list}?limit=201")).ExpectProblemAsync(HttpStatusCode.BadRequest)).ErrorFields());
    }

    [Fact]
    public async Task Tax_exemptions_are_saved_and_shown_on_the_tenant_and_a_deleted_profile_is_gone()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var tenantUrl = Seed.TenantUrl(accountId, "t1");
        await Seed.BillableTenantAsync(_operator, accountId, "t1");

        var exemptions = await (await _operator.PutJsonAsync($"{tenantUrl}/tax-exemptions", """{"federal":true,"stateLocal":false,"sales":true}""")).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal(HttpStatusCode.NoContent, (await _operator.DeleteAsync($"{tenantUrl}/billing-profile")).StatusCode);

        var tenant = await (await _operator.GetAsync(tenantUrl)).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal("""{"federal":true,"stateLocal":false,"sales":true}""", exemptions.GetRawText());
        Assert.Equal(exemptions.GetRawText(), tenant.GetProperty("taxExemptions").GetRawText());
        Assert.Equal(JsonValueKind.Null, tenant.GetProperty("billingProfile").ValueKind);
        await (await _operator.GetAsync($"{tenantUrl}/billing-profile")).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await _operator.DeleteAsync($"{tenantUrl}/billing-profile")).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_tenant_of_a_missing_account_is_404_and_a_missing_tenant_is_404()
    {
        var accountId = await Seed.AccountAsync(_operator);

        await (await _operator.PutJsonAsync(Seed.TenantUrl(Seed.NewId("missing"), "t1"), Seed.TenantBody())).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await _operator.GetAsync(Seed.TenantUrl(accountId, "nobody"))).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await _operator.SendAsync(HttpMethod.Post, $"{Seed.TenantUrl(accountId, "nobody")}/address/validate")).ExpectProblemAsync(HttpStatusCode.NotFound);
        await (await _operator.PutJsonAsync($"{Seed.TenantUrl(accountId, "nobody")}/billing-profile", Seed.ProfileBody)).ExpectProblemAsync(HttpStatusCode.NotFound);
    }

    /// <summary>A page as "ids → nextAfter" ("end" when there is no next page).</summary>
    private async Task<string> PageAsync(string url)
    {
        var page = await (await _operator.GetAsync(url)).ExpectJsonAsync(HttpStatusCode.OK);
        var next = page.GetProperty("nextAfter");
        var ids = string.Join(",", page.GetProperty("items").EnumerateArray().Select(t => t.GetProperty("tenantId").GetString()));
        return $"{ids} → {(next.ValueKind == JsonValueKind.Null ? "end" : next.GetString())}";
    }
}
