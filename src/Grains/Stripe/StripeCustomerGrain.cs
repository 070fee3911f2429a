using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

[GenerateSerializer, Alias("stripe-customer-state")]
public sealed class StripeCustomerState
{
    [Id(0)] public string? CustomerId { get; set; }
    [Id(1)] public TenantDetails? Details { get; set; }

    /// <summary>The version of <see cref="Details"/> Stripe last accepted for the customer.</summary>
    [Id(2)] public int SyncedVersion { get; set; }

    /// <summary>Bumped when a new customer is needed (deleted in Stripe, another Stripe connected), so its create gets a new key.</summary>
    [Id(3)] public int Generation { get; set; }

    /// <summary>Bumped each time the tenant's data changes: each version is one update with its own idempotency key.</summary>
    [Id(4)] public int Version { get; set; }

    /// <summary>The Stripe account the customer lives in (<see cref="StripeAccess.StripeIdentity"/>).</summary>
    [Id(5)] public string? StripeIdentity { get; set; }
}

/// <summary>
/// The tenant's customer in the account's Stripe. Created when the first invoice needs it; when the
/// tenant's data changes later, the customer is updated in the background (and before the next invoice
/// at the latest). Idempotency keys: <c>{tenantKey}:customer:{generation}</c> to create and
/// <c>…:update:{version}</c> to update, so changing the data back and forth never replays an old update.
/// A customer made in another Stripe (the account connected a different one) is replaced by a new one.
/// </summary>
[GrainType("stripe-customer")]
public sealed class StripeCustomerGrain(
    [PersistentState("stripe-customer", StorageNames.Billing)] IPersistentState<StripeCustomerState> state,
    IStripeGateway stripe) : Grain, IStripeCustomerGrain
{
    private string TenantKey => this.GetPrimaryKeyString();

    public async Task SyncAsync(TenantDetails details)
    {
        if (state.State.Details == details)
        {
            return;
        }

        state.State.Details = details;
        state.State.Version++;
        await state.WriteStateAsync();
        if (state.State.CustomerId is not null)
        {
            this.RegisterGrainTimer(UpdateInBackgroundAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
    }

    public async Task<string> EnsureAsync(StripeAccess access)
    {
        var details = state.State.Details ?? throw new InvalidOperationException("The tenant's data has not reached its Stripe customer.");
        if (state.State.CustomerId is not null && state.State.StripeIdentity != access.StripeIdentity)
        {
            Forget();
        }

        if (state.State.CustomerId is null)
        {
            await StripePacing.WaitTurnAsync(GrainFactory, access);
            state.State.CustomerId = await stripe.CreateCustomerAsync(
                access, $"{TenantKey}:customer:{state.State.Generation}", details, TenantKey, CancellationToken.None);
            state.State.StripeIdentity = access.StripeIdentity;
            state.State.SyncedVersion = state.State.Version;
            await state.WriteStateAsync();
        }
        else if (state.State.SyncedVersion != state.State.Version)
        {
            await StripePacing.WaitTurnAsync(GrainFactory, access);
            await stripe.UpdateCustomerAsync(
                access, $"{TenantKey}:customer:{state.State.Generation}:update:{state.State.Version}", state.State.CustomerId, details, CancellationToken.None);
            state.State.SyncedVersion = state.State.Version;
            await state.WriteStateAsync();
        }

        return state.State.CustomerId;
    }

    public async Task ForgetAsync(string customerId)
    {
        if (state.State.CustomerId == customerId)
        {
            Forget();
            await state.WriteStateAsync();
        }
    }

    public Task<string?> GetIdAsync() => Task.FromResult(state.State.CustomerId);

    private async Task UpdateInBackgroundAsync(CancellationToken cancellationToken)
    {
        var accountId = GrainKeys.ParseTenant(TenantKey).AccountId;
        if (await GrainFactory.GetGrain<IAccountGrain>(accountId).GetStripeAccessAsync() is { Connected: true } access)
        {
            try
            {
                await EnsureAsync(access);
            }
            catch (StripeCallException)
            {
                // The next invoice brings the customer up to date before it is created.
            }
        }
    }

    private void Forget()
    {
        state.State.CustomerId = null;
        state.State.StripeIdentity = null;
        state.State.Generation++;
    }
}
