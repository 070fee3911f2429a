using System.Net;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>
/// Connecting an account's Stripe: a Connect account id is the operator's to give and belongs to one
/// account; an account key connects only its own secret key.
/// </summary>
public sealed class StripeConnectionTests(StripeApiFactory api) : IClassFixture<StripeApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    private static string NewConnectAccount() => $"acct_{Guid.NewGuid():N}"[..21];

    private static string ConnectBody(string stripeAccountId) => JsonSerializer.Serialize(new { stripeAccountId });

    private static string Url(string accountId) => $"{Seed.AccountUrl(accountId)}/stripe-connection";

    [Fact]
    public async Task An_account_key_may_not_give_a_connect_account_id_and_nothing_changes()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var (_, key) = await Seed.KeyAsync(_operator, accountId);
        var account = api.Client(key);

        var refused = await (await account.PutJsonAsync(Url(accountId), ConnectBody(NewConnectAccount()))).ExpectProblemAsync(HttpStatusCode.Forbidden);

        Assert.Contains("operator", refused.GetProperty("title").GetString(), StringComparison.OrdinalIgnoreCase);
        var after = await (await account.GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal("not_connected", after.GetProperty("stripe").GetProperty("mode").GetString());
    }

    [Fact]
    public async Task An_account_key_connects_its_own_secret_key()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var (_, key) = await Seed.KeyAsync(_operator, accountId);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";

        var connected = await (await api.Client(key).PutJsonAsync(Url(accountId), JsonSerializer.Serialize(new { secretKey }))).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.Equal("secret_key", connected.GetProperty("stripe").GetProperty("mode").GetString());
    }

    [Fact]
    public async Task A_connect_account_id_held_by_another_account_is_a_409_that_names_neither_account()
    {
        var holder = await Seed.AccountAsync(_operator);
        var other = await Seed.AccountAsync(_operator);
        var stripeAccountId = NewConnectAccount();
        await (await _operator.PutJsonAsync(Url(holder), ConnectBody(stripeAccountId))).ExpectJsonAsync(HttpStatusCode.OK);

        var conflict = await _operator.PutJsonAsync(Url(other), ConnectBody(stripeAccountId));
        var text = await conflict.Content.ReadAsStringAsync();

        await conflict.ExpectProblemAsync(HttpStatusCode.Conflict);
        Assert.DoesNotContain(holder, text, StringComparison.Ordinal);
        Assert.DoesNotContain(other, text, StringComparison.Ordinal);
        var otherAfter = await (await _operator.GetAsync(Seed.AccountUrl(other))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal("not_connected", otherAfter.GetProperty("stripe").GetProperty("mode").GetString());

        // Connecting it again to the account that holds it is fine.
        await (await _operator.PutJsonAsync(Url(holder), ConnectBody(stripeAccountId))).ExpectJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_connect_account_id_is_free_again_once_its_account_disconnects_or_connects_another()
    {
        var first = await Seed.AccountAsync(_operator);
        var second = await Seed.AccountAsync(_operator);
        var third = await Seed.AccountAsync(_operator);
        var (a, b) = (NewConnectAccount(), NewConnectAccount());
        await (await _operator.PutJsonAsync(Url(first), ConnectBody(a))).ExpectJsonAsync(HttpStatusCode.OK);

        // Replaced by another id: the first is released, the new one is held.
        await (await _operator.PutJsonAsync(Url(first), ConnectBody(b))).ExpectJsonAsync(HttpStatusCode.OK);
        await (await _operator.PutJsonAsync(Url(second), ConnectBody(a))).ExpectJsonAsync(HttpStatusCode.OK);
        await (await _operator.PutJsonAsync(Url(third), ConnectBody(b))).ExpectProblemAsync(HttpStatusCode.Conflict);

        // Disconnected: released.
        await (await _operator.SendAsync(HttpMethod.Delete, Url(first))).ExpectJsonAsync(HttpStatusCode.OK);
        await (await _operator.PutJsonAsync(Url(third), ConnectBody(b))).ExpectJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_key_is_checked_against_stripe_when_connected_and_the_answer_says_its_mode()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";

        var connected = await (await _operator.PutJsonAsync(Url(accountId), JsonSerializer.Serialize(new { secretKey }))).ExpectJsonAsync(HttpStatusCode.OK);

        Assert.False(connected.GetProperty("stripe").GetProperty("liveMode").GetBoolean());
        var stripeAccount = api.Stripe.PlatformAccountId(secretKey);
        Assert.Contains(api.Stripe.RequestLog, r => r.AccountId == stripeAccount && r.Route == "GET /v1/account" && r.Status == 200);
    }

    [Fact]
    public async Task A_key_stripe_refuses_is_a_422_with_stripes_reason_and_nothing_changes()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        api.Stripe.RevokeApiKey(secretKey);

        var response = await _operator.PutJsonAsync(Url(accountId), JsonSerializer.Serialize(new { secretKey }));
        var text = await response.Content.ReadAsStringAsync();
        var refused = await response.ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("Expired API Key", refused.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(secretKey[8..], text, StringComparison.Ordinal);
        await AssertNotConnectedAsync(accountId);
    }

    [Fact]
    public async Task A_live_key_in_a_test_deployment_is_a_422_and_never_reaches_stripe()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var liveKey = $"sk_live_{Guid.NewGuid():N}";

        var refused = await (await _operator.PutJsonAsync(Url(accountId), JsonSerializer.Serialize(new { secretKey = liveKey }))).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("live key", refused.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.Contains("test mode", refused.GetProperty("title").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(api.Stripe.RequestLog, r => r.AccountId == api.Stripe.PlatformAccountId(liveKey));
        await AssertNotConnectedAsync(accountId);
    }

    [Fact]
    public async Task A_connect_account_the_platform_cannot_reach_is_a_422_and_the_id_stays_free()
    {
        var (first, second) = (await Seed.AccountAsync(_operator), await Seed.AccountAsync(_operator));
        var stripeAccountId = NewConnectAccount();
        api.Stripe.RevokeAccountAccess(stripeAccountId);

        var refused = await (await _operator.PutJsonAsync(Url(first), ConnectBody(stripeAccountId))).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("does not have access to account", refused.GetProperty("title").GetString(), StringComparison.Ordinal);
        await AssertNotConnectedAsync(first);
        // The refused claim was released: the same id gives the second account the same 422, not a 409.
        await (await _operator.PutJsonAsync(Url(second), ConnectBody(stripeAccountId))).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);
    }

    [Fact]
    public async Task Stripe_not_answering_the_check_is_a_503_and_nothing_changes()
    {
        var accountId = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        var fault = api.Stripe.InjectFault(new StripeSandbox.FaultRule(StripeSandbox.FaultKind.ServerErrorBeforeWork)
        {
            Path = "/v1/account", AccountId = api.Stripe.PlatformAccountId(secretKey), Count = null, StatusCode = 503,
        });

        await (await _operator.PutJsonAsync(Url(accountId), JsonSerializer.Serialize(new { secretKey }))).ExpectProblemAsync(HttpStatusCode.ServiceUnavailable);
        fault.Remove();

        Assert.True(fault.Fired >= 2, $"The check was tried {fault.Fired} time(s); a GET is repeated before giving up.");
        await AssertNotConnectedAsync(accountId);
        await (await _operator.PutJsonAsync(Url(accountId), JsonSerializer.Serialize(new { secretKey }))).ExpectJsonAsync(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_restricted_key_that_may_not_read_the_account_is_checked_by_reading_invoices()
    {
        var (able, unable) = (await Seed.AccountAsync(_operator), await Seed.AccountAsync(_operator));
        var (ableKey, unableKey) = ($"rk_test_{Guid.NewGuid():N}", $"rk_test_{Guid.NewGuid():N}");
        api.Stripe.RestrictApiKey(ableKey, "GET /v1/account");
        api.Stripe.RestrictApiKey(unableKey, "GET /v1/account", "GET /v1/invoices");

        await (await _operator.PutJsonAsync(Url(able), JsonSerializer.Serialize(new { secretKey = ableKey }))).ExpectJsonAsync(HttpStatusCode.OK);
        var refused = await (await _operator.PutJsonAsync(Url(unable), JsonSerializer.Serialize(new { secretKey = unableKey }))).ExpectProblemAsync(HttpStatusCode.UnprocessableEntity);

        Assert.Contains(api.Stripe.RequestLog, r => r.AccountId == api.Stripe.PlatformAccountId(ableKey) && r.Route == "GET /v1/invoices" && r.Status == 200);
        Assert.Contains("does not have the required permissions", refused.GetProperty("title").GetString(), StringComparison.Ordinal);
        await AssertNotConnectedAsync(unable);
    }

    private async Task AssertNotConnectedAsync(string accountId)
    {
        var account = await (await _operator.GetAsync(Seed.AccountUrl(accountId))).ExpectJsonAsync(HttpStatusCode.OK);
        Assert.Equal("not_connected", account.GetProperty("stripe").GetProperty("mode").GetString());
    }
}
