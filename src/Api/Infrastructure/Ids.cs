using TenantBilling.Grains.Domain.Validation;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Infrastructure;

/// <summary>Checks of the ids in a route, before any grain is touched.</summary>
public static class Ids
{
    public static void Account(string accountId)
    {
        if (!GrainKeys.IsAccountId(accountId))
        {
            throw BillingProblemException.NotFound($"Account '{Truncate(accountId)}'");
        }
    }

    public static string Tenant(string accountId, string tenantId)
    {
        Account(accountId);
        if (!GrainKeys.IsTenantId(tenantId))
        {
            throw BillingProblemException.Invalid("tenantId", "1–64 characters of A–Z, a–z, 0–9, '_' and '-'.");
        }

        return GrainKeys.Tenant(accountId, tenantId);
    }

    public static async Task<AccountView> ExistingAccountAsync(IGrainFactory grains, string accountId)
    {
        Account(accountId);
        return await grains.GetGrain<IAccountGrain>(accountId).GetAsync()
            ?? throw BillingProblemException.NotFound($"Account '{accountId}'");
    }

    public static void ThrowIfInvalid(FieldErrors errors)
    {
        if (!errors.IsEmpty)
        {
            throw BillingProblemException.Invalid(errors.ToDictionary());
        }
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
