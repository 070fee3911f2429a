using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Tenants;

/// <summary>
/// Taxes could not be rated now: the provider failed (worth repeating), or the address was changed and
/// is not validated (the account must act). A monthly invoice waits and is retried either way.
/// </summary>
public sealed class TaxesUnavailableException(string message, bool providerFailed, Exception? inner = null) : Exception(message, inner)
{
    public bool ProviderFailed { get; } = providerFailed;

    /// <summary>The answer for a caller that is waiting: 503 to repeat when the provider failed, else 409.</summary>
    public BillingProblemException AsProblem(string suffix) => ProviderFailed
        ? new BillingProblemException(ProblemKind.Unavailable, $"{Message}{suffix} Repeat the request later.")
        : BillingProblemException.Conflict($"{Message}{suffix} Validate the address (POST …/address/validate) first.");
}
