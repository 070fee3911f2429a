using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.Json;

namespace TenantBilling.StripeSandbox.Api;

/// <summary><c>/v1/tax_rates</c>: create and retrieve (tax amounts' archived rates included).</summary>
internal static class TaxRateEndpoints
{
    public static Router MapTaxRates(this Router router) => router
        .Map("POST", "/v1/tax_rates", Create)
        .Map("GET", "/v1/tax_rates/{id}", Retrieve);

    private static byte[] Create(ApiContext ctx)
    {
        ctx.Form.EnsureOnly("display_name", "inclusive", "percentage", "active", "country", "description", "jurisdiction", "metadata", "state", "tax_type", "expand");
        var rate = LineTaxes.ReadRate(ctx, ctx.Form, active: ctx.Form.Bool("active") ?? true);
        ctx.Account.TaxRates.Add(rate.Id, rate);
        return StripeJson.Write(w => StripeJson.TaxRate(w, rate));
    }

    private static byte[] Retrieve(ApiContext ctx)
    {
        ctx.Form.EnsureOnly("expand");
        var rate = ctx.Account.TaxRates.GetValueOrDefault(ctx.RequiredId) ?? throw StripeApiException.NoSuch("tax_rate", ctx.RequiredId);
        return StripeJson.Write(w => StripeJson.TaxRate(w, rate));
    }
}
