using System.Net;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

public sealed class TestClockLimitsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("9999-12-31T00:00:00Z")]
    [InlineData("0001-01-01T00:00:00Z")]
    public async Task A_test_clock_instant_outside_any_billing_year_is_400_naming_now(string now)
    {
        var client = api.Operator();

        var problem = await (await client.PostJsonAsync("/v1/test-clock", $$"""{"now":"{{now}}"}""")).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["now"], problem.ErrorFields());
    }

    [Fact]
    public async Task Moving_the_test_clock_back_from_year_9999_is_not_a_500()
    {
        var client = api.Operator();
        var accountId = await Seed.AccountAsync(client);
        await Seed.BillableTenantAsync(client, accountId, "t1");
        await client.PostJsonAsync("/v1/test-clock", """{"now":"9999-12-31T00:00:00Z"}""");
        await client.PutJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/statements/9999-11", """{"usageTotal":1,"quantities":{}}""");

        var back = await client.PostJsonAsync("/v1/test-clock", """{"now":"2026-11-15T12:00:00Z"}""");
        var profile = await client.PutJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/billing-profile", Seed.ProfileBody);

        Assert.True((int)back.StatusCode < 500, await back.Content.ReadAsStringAsync());
        Assert.True((int)profile.StatusCode < 500, await profile.Content.ReadAsStringAsync());
    }
}
