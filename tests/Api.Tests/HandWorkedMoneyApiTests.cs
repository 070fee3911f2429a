using System.Net;
using System.Text.Json;
using TenantBilling.Api.Tests.Support;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>
/// The hand-worked taxed invoices (<see cref="HandWorkedInvoices"/>) set up and billed over HTTP as the
/// portal does — tenant, validated address, exemptions, profile, the carrier's statement, the test clock
/// past the billing day — and checked in the Stripe fake through Stripe.net, figure by figure.
/// </summary>
public sealed class HandWorkedMoneyApiTests(StripeApiFactory api) : IClassFixture<StripeApiFactory>
{
    private readonly HttpClient _operator = api.Operator();

    public static IEnumerable<object[]> Cases => HandWorkedInvoices.Names;

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_taxed_monthly_invoice_billed_over_http_reaches_stripe_with_the_hand_worked_lines_taxes_and_totals(string name)
    {
        var handCase = HandWorkedInvoices.Named(name);
        await SetClockAsync(handCase.ProfileAt);
        var accountId = await Seed.AccountAsync(_operator);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        await Seed.ConnectStripeAsync(_operator, accountId, secretKey);
        var tenantUrl = Seed.TenantUrl(accountId, "t1");
        var address = handCase.Address;
        await Seed.TenantAsync(_operator, accountId, "t1", Seed.TenantBody(line1: address.Line1, line2: null, city: address.City, state: address.State, postalCode: address.PostalCode));
        await (await _operator.SendAsync(HttpMethod.Post, $"{tenantUrl}/address/validate")).ExpectJsonAsync(HttpStatusCode.OK);
        var exemptions = JsonSerializer.Serialize(new { federal = handCase.Exemptions.Federal, stateLocal = handCase.Exemptions.StateLocal, sales = handCase.Exemptions.Sales });
        await (await _operator.PutJsonAsync($"{tenantUrl}/tax-exemptions", exemptions)).ExpectJsonAsync(HttpStatusCode.OK);
        await (await _operator.PutJsonAsync($"{tenantUrl}/billing-profile", HandWorkedInvoices.ProfileJson)).ExpectJsonAsync(HttpStatusCode.OK);
        var stripe = StripeReader.For(api.Stripe.ApiBase, secretKey);

        foreach (var expected in handCase.Invoices)
        {
            await SetClockAsync(expected.StatementAt);
            await (await _operator.PutJsonAsync($"{tenantUrl}/statements/{expected.Period}", HandWorkedInvoices.StatementJson)).ExpectJsonAsync(HttpStatusCode.Created);
            await SetClockAsync(expected.BilledAt);
            var invoice = await Seed.SentInvoiceAsync(_operator, tenantUrl, i => i.GetProperty("period").GetString() == expected.Period);   // the test clock's move woke the tenant

            await HandWorkedInvoices.AssertStripeHoldsAsync(stripe, invoice.GetProperty("stripeInvoiceId").GetString()!, expected);
        }

        Assert.Equal(handCase.Invoices.Length, api.Stripe.Invoices(api.Stripe.PlatformAccountId(secretKey)).Count);
    }

    private async Task SetClockAsync(DateTimeOffset now) =>
        await (await _operator.PostJsonAsync("/v1/test-clock", JsonSerializer.Serialize(new { now }))).ExpectJsonAsync(HttpStatusCode.OK);
}
