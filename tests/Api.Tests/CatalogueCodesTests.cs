using System.Net;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>A product code or tax category the product does not know is a 400 that lists the ones it does.</summary>
public sealed class CatalogueCodesTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private const string KnownProducts =
        "Unknown product code. Known: sip_channels, minutes_inbound, minutes_inbound_toll_free, minutes_outbound, minutes_international, minutes_short_duration, local_numbers, toll_free_numbers.";

    private const string KnownTaxCategories = "A tax category, one of: voip_usage, voip_channels, voip_seats, phone_numbers, voip_service, non_taxable.";

    private readonly HttpClient _operator = api.Operator();

    [Theory]
    [InlineData("statements/2026-10", "PUT", """{"usageTotal":1,"quantities":{"minutes_outgoing":5}}""", "quantities.minutes_outgoing", KnownProducts)]
    [InlineData("billing-profile", "PUT", """{"autoCharge":false,"includeTaxes":true,"billingDay":5,"prices":{"fax_pages":0.1}}""", "prices.fax_pages", KnownProducts)]
    [InlineData("billing-profile", "PUT", """{"autoCharge":false,"includeTaxes":true,"billingDay":5,"prices":{},"recurringItems":[{"description":"Seat","quantity":1,"unitPrice":5,"taxCategory":"seats"}]}""", "recurringItems[0].taxCategory", KnownTaxCategories)]
    [InlineData("one-time-invoices", "POST", """{"requestId":"r1","items":[{"productCode":"fax_pages","quantity":1}]}""", "items[0].productCode", KnownProducts)]
    [InlineData("one-time-invoices", "POST", """{"requestId":"r1","items":[{"description":"Visit","quantity":1,"unitPrice":90}]}""", "items[0].taxCategory", KnownTaxCategories)]
    public async Task An_unknown_code_is_400_listing_the_valid_codes(string route, string method, string body, string field, string message)
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");

        var problem = await (await _operator.SendAsync(new HttpMethod(method), $"{Seed.TenantUrl(accountId, "t1")}/{route}", body)).ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal([field], problem.ErrorFields());
        Assert.Equal([message], problem.ErrorsOf(field));
    }

    [Fact]
    public async Task A_catalogue_product_the_profile_does_not_price_is_400_listing_the_priced_ones()
    {
        var accountId = await Seed.AccountAsync(_operator);
        await Seed.BillableTenantAsync(_operator, accountId, "t1");

        var problem = await (await _operator.PostJsonAsync($"{Seed.TenantUrl(accountId, "t1")}/one-time-invoices", """{"requestId":"r1","items":[{"productCode":"sip_channels","quantity":2}]}"""))
            .ExpectProblemAsync(HttpStatusCode.BadRequest);

        Assert.Equal(["The billing profile has no price for 'sip_channels'. Priced: local_numbers, minutes_outbound."], problem.ErrorsOf("items[0].productCode"));
    }
}
