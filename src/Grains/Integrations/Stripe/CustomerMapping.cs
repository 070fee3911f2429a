using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// The one place where tenant data becomes a Stripe customer (domain.md): tenant name → description,
/// tenant phone → phone, billing email → email (where Stripe sends invoices), contact name → name,
/// address → address; a new customer also carries our tenant key. Written as the form Stripe.net's
/// customer options encode to (<see cref="StripeRequests"/>).
/// </summary>
public static class CustomerMapping
{
    public const string TenantKeyMetadata = "tenant_billing_tenant";

    /// <summary>The parameters of a customer's creation.</summary>
    public static string ForCreate(TenantDetails details, string tenantKey) =>
        Customer(details).Add("metadata[" + TenantKeyMetadata + "]", tenantKey).Add("name", details.ContactName).Add("phone", details.Phone).ToString();

    /// <summary>The parameters of a customer's update: the same fields, the tenant key unchanged.</summary>
    public static string ForUpdate(TenantDetails details) =>
        Customer(details).Add("name", details.ContactName).Add("phone", details.Phone).ToString();

    private static StripeForm Customer(TenantDetails details)
    {
        var address = details.Address;
        return new StripeForm()
            .Add("address[city]", address.City)
            .Add("address[country]", address.Country)
            .Add("address[line1]", address.Line1)
            .Add("address[line2]", address.Line2 ?? string.Empty)
            .Add("address[postal_code]", address.PostalCode)
            .Add("address[state]", address.State)
            .Add("description", details.Name)
            .Add("email", details.BillingEmail);
    }
}
