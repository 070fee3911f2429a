using global::Stripe;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// The one place where tenant data becomes a Stripe customer (domain.md): tenant name → description,
/// tenant phone → phone, billing email → email (where Stripe sends invoices), contact name → name,
/// address → address.
/// </summary>
public static class CustomerMapping
{
    public const string TenantKeyMetadata = "tenant_billing_tenant";

    public static CustomerCreateOptions ForCreate(TenantDetails details, string tenantKey) => new()
    {
        Description = details.Name,
        Phone = details.Phone,
        Email = details.BillingEmail,
        Name = details.ContactName,
        Address = Address(details.Address),
        Metadata = new Dictionary<string, string> { [TenantKeyMetadata] = tenantKey },
    };

    public static CustomerUpdateOptions ForUpdate(TenantDetails details) => new()
    {
        Description = details.Name,
        Phone = details.Phone,
        Email = details.BillingEmail,
        Name = details.ContactName,
        Address = Address(details.Address),
    };

    private static AddressOptions Address(PostalAddress address) => new()
    {
        Line1 = address.Line1,
        Line2 = address.Line2 ?? string.Empty,
        City = address.City,
        State = address.State,
        PostalCode = address.PostalCode,
        Country = address.Country,
    };
}
