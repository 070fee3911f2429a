using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Tenants;

public sealed partial class TenantGrain
{
    public async Task<AddressValidation> ValidateAddressAsync()
    {
        EnsureExists();
        var result = addresses.Validate(State.Details!.Address);
        if (result.Jurisdiction is not { } jurisdiction)
        {
            var errors = result.Mismatches
                .GroupBy(m => $"address.{m.Field}")
                .ToDictionary(g => g.Key, g => g.Select(m => m.Expected is null ? m.Message : $"{m.Message} Expected: {m.Expected}.").ToArray());
            throw new BillingProblemException(ProblemKind.Unprocessable, "The address does not match the ZIP database.", errors);
        }

        var now = time.GetUtcNow();
        State.Details = State.Details with { Address = result.Address };
        State.Address = new AddressStatus(true, now, jurisdiction, result.Corrections);
        State.UpdatedAt = now;
        await state.WriteStateAsync();
        await SyncCustomerAsync();
        return new AddressValidation(result.Address, jurisdiction, result.Corrections);
    }
}
