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
    public async Task The_test_clock_moves_up_to_its_last_instant_and_back_from_a_tenant_due_there_and_the_tenant_stays_billable()
    {
        var client = api.Operator();
        var accountId = await Seed.AccountAsync(client);
        var tenantUrl = Seed.TenantUrl(accountId, "t1");
        await Seed.BillableTenantAsync(client, accountId, "t1");   // billing day 5
        var dueIn2099 = new DateTimeOffset(2099, 12, 5, 0, 0, 0, TimeSpan.Zero);
        try
        {
            // Year 9999 and the end of the bounds are refused and leave the clock where it was; the last instant before is taken.
            await (await client.PostJsonAsync("/v1/test-clock", """{"now":"9999-12-31T00:00:00Z"}""")).ExpectProblemAsync(HttpStatusCode.BadRequest);
            await (await client.PostJsonAsync("/v1/test-clock", """{"now":"2100-01-01T00:00:00Z"}""")).ExpectProblemAsync(HttpStatusCode.BadRequest);
            Assert.Equal(ApiFactory.Now, await NowAsync(client));
            var last = await (await client.PostJsonAsync("/v1/test-clock", """{"now":"2099-12-31T23:59:59Z"}""")).ExpectJsonAsync(HttpStatusCode.OK);
            Assert.Equal(new DateTimeOffset(2099, 12, 31, 23, 59, 59, TimeSpan.Zero), last.GetProperty("now").GetDateTimeOffset());

            // A statement in 2099 schedules its invoice for that December's billing day.
            await (await client.PostJsonAsync("/v1/test-clock", """{"now":"2099-12-01T00:00:00Z"}""")).ExpectJsonAsync(HttpStatusCode.OK);
            var statement = await (await client.PutJsonAsync($"{tenantUrl}/statements/2099-11", """{"usageTotal":1,"quantities":{"minutes_outbound":10}}"""))
                .ExpectJsonAsync(HttpStatusCode.Created);
            Assert.Equal(dueIn2099, statement.GetProperty("scheduledFor").GetDateTimeOffset());

            // Back to 2026: the move wakes the tenant, whose reminder is now 73 years away; it can still be changed, and keeps its invoice.
            var back = await (await client.PostJsonAsync("/v1/test-clock", """{"now":"2026-11-15T12:00:00Z"}""")).ExpectJsonAsync(HttpStatusCode.OK);
            Assert.Equal(ApiFactory.Now, back.GetProperty("now").GetDateTimeOffset());
            Assert.True(back.GetProperty("tenantsWoken").GetInt32() >= 1);
            await (await client.PutJsonAsync($"{tenantUrl}/billing-profile", Seed.ProfileBody)).ExpectJsonAsync(HttpStatusCode.OK);
            var next = (await (await client.GetAsync(tenantUrl)).ExpectJsonAsync(HttpStatusCode.OK)).GetProperty("nextInvoice");
            Assert.Equal(("2099-11", dueIn2099), (next.GetProperty("period").GetString(), next.GetProperty("dueAt").GetDateTimeOffset()));
        }
        finally
        {
            await client.PostJsonAsync("/v1/test-clock", """{"now":"2026-11-15T12:00:00Z"}""");
        }
    }

    private static async Task<DateTimeOffset> NowAsync(HttpClient client) =>
        (await (await client.GetAsync("/v1/test-clock")).ExpectJsonAsync(HttpStatusCode.OK)).GetProperty("now").GetDateTimeOffset();
}
