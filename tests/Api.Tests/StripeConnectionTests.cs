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
}
