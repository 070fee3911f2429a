using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.Json;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>
/// <c>GET /v1/account</c>: the Stripe account the key reaches (or, with <c>Stripe-Account</c>, the connected
/// account), the cheap authenticated read that checks a connection. Bad keys and revoked Connect access
/// are refused before this runs, as Stripe does.
/// </summary>
internal static class AccountEndpoints
{
    public static Router MapAccount(this Router router) => router.Map("GET", "/v1/account", Retrieve);

    private static byte[] Retrieve(ApiContext ctx)
    {
        ctx.Form.EnsureOnly("expand");
        return StripeJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", ctx.Account.Id);
            w.WriteString("object", "account");
            w.WriteStartObject("business_profile");
            w.WriteNull("name");
            w.WriteNull("support_email");
            w.WriteNull("url");
            w.WriteEndObject();
            w.WriteBoolean("charges_enabled", true);
            w.WriteString("country", "US");
            w.WriteNumber("created", ctx.Now.ToUnixTimeSeconds());
            w.WriteString("default_currency", ctx.Account.DefaultCurrency ?? ctx.Environment.Options.DefaultCurrency);
            w.WriteBoolean("details_submitted", true);
            w.WriteNull("email");
            w.WriteStartObject("metadata");
            w.WriteEndObject();
            w.WriteBoolean("payouts_enabled", true);
            w.WriteString("type", "standard");
            w.WriteEndObject();
        });
    }
}
