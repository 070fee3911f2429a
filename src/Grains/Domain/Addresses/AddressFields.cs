namespace TenantBilling.Grains.Domain.Addresses;

/// <summary>
/// Address field names as the REST API spells them (<c>address{line1, line2, city, state, postalCode,
/// country}</c>), used in <see cref="Grains.Interfaces.Models.AddressCorrection"/> and
/// <see cref="Grains.Interfaces.Models.AddressMismatch"/>.
/// </summary>
public static class AddressFields
{
    public const string Line1 = "line1";
    public const string Line2 = "line2";
    public const string City = "city";
    public const string State = "state";
    public const string PostalCode = "postalCode";
    public const string Country = "country";
}
