using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Tenants;

public sealed partial class TenantGrain
{
    public Task<AddressValidation> ValidateAddressAsync() => throw new NotSupportedException("Address validation lands with the ZIP database.");
}
