namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// One Stripe Connect account id (<c>acct_…</c>), keyed by that id: which of our accounts it belongs to.
/// The platform key reaches every connected account, so an id must only ever be used for the account
/// it was onboarded for; this is the cluster-wide index that guarantees it.
/// </summary>
public interface IStripeConnectAccountGrain : IGrainWithStringKey
{
    /// <summary>
    /// Binds the Connect account to <paramref name="accountId"/>. Conflict when another account holds it
    /// and still uses it; a binding its holder no longer uses (a release that never ran) is taken over.
    /// </summary>
    /// <returns>True when the binding is new; false when <paramref name="accountId"/> already held it.</returns>
    Task<bool> ClaimAsync(string accountId);

    /// <summary>Releases the binding when <paramref name="accountId"/> holds it; otherwise does nothing.</summary>
    Task ReleaseAsync(string accountId);

    /// <summary>The account the Connect account is bound to, or null.</summary>
    [AlwaysInterleave]
    Task<string?> GetOwnerAsync();
}
