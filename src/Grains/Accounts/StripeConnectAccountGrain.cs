using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Accounts;

/// <summary>
/// The binding of one Connect account id to one of our accounts. A claim by another account is refused
/// while the holder still uses the id (asked of the holder itself), so a release lost to a crash never
/// locks an id forever, and an id in use is never shared.
/// </summary>
[GrainType("stripe-connect-account")]
public sealed class StripeConnectAccountGrain(
    [PersistentState("stripe-connect-account", StorageNames.Billing)] IPersistentState<StripeConnectAccountState> state) : Grain, IStripeConnectAccountGrain
{
    private string StripeAccountId => this.GetPrimaryKeyString();

    public async Task<bool> ClaimAsync(string accountId)
    {
        var holder = state.State.AccountId;
        if (holder == accountId)
        {
            return false;
        }

        if (holder is not null && await GrainFactory.GetGrain<IAccountGrain>(holder).HoldsConnectAccountAsync(StripeAccountId))
        {
            // Names neither account: the caller learns only that the id is taken.
            throw BillingProblemException.Conflict("This Stripe account is already connected to another account.");
        }

        state.State.AccountId = accountId;
        await state.WriteStateAsync();
        return true;
    }

    public async Task ReleaseAsync(string accountId)
    {
        if (state.State.AccountId == accountId)
        {
            state.State.AccountId = null;
            await state.WriteStateAsync();
        }
    }

    public Task<string?> GetOwnerAsync() => Task.FromResult(state.State.AccountId);
}
