using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

/// <summary>
/// The tenant's customer in the account's Stripe (the rules: <see cref="StripeCustomerRules"/>). Created when
/// the first invoice needs it, in that invoice's slot; when the tenant's data changes later, the customer is
/// updated in the background (and before the next invoice at the latest). The first invoice costs two writes:
/// the tenant's data (which also says a create may follow) and the customer created.
/// </summary>
[GrainType("stripe-customer")]
public sealed class StripeCustomerGrain(
    [PersistentState("stripe-customer", StorageNames.Billing)] IPersistentState<StripeCustomerState> state,
    IStripeGateway stripe) : Grain, IStripeCustomerGrain
{
    /// <summary>Since this activation wrote or read the record, no create that could have made the customer was sent without listing after it.</summary>
    private bool listedSinceLastCreate;

    private StripeCustomerState Customer => state.State;

    private string TenantKey => this.GetPrimaryKeyString();

    public async Task SyncAsync(TenantDetails details)
    {
        var createMayHaveBeenSent = Customer.CreateSent;
        if (!StripeCustomerRules.Take(Customer, details))
        {
            return;
        }

        await state.WriteStateAsync();
        if (Customer.CustomerId is null)
        {
            // The record now says a create may follow; unless one may have been sent before, this activation knows none was.
            listedSinceLastCreate |= !createMayHaveBeenSent;
        }
        else
        {
            this.RegisterGrainTimer(UpdateInBackgroundAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
    }

    public Task<StripeCustomerRef?> ReadyAsync(string? stripeIdentity) =>
        Task.FromResult(StripeCustomerRules.IsReady(Customer, stripeIdentity) ? new StripeCustomerRef(Customer.CustomerId!, null, Created: false, UsedTurn: false) : null);

    public async Task<string> EnsureAsync(StripeAccess access) => (await EnsureInTurnAsync(access, null)).Id;

    public Task<StripeCustomerRef> EnsureInTurnAsync(StripeAccess access, TimeSpan firstRequestIn) => EnsureInTurnAsync(access, (TimeSpan?)firstRequestIn);

    public async Task ForgetAsync(string customerId)
    {
        if (Customer.CustomerId == customerId)
        {
            StripeCustomerRules.Forget(Customer);
            await state.WriteStateAsync();
            listedSinceLastCreate = true;
        }
    }

    public Task<string?> GetIdAsync() => Task.FromResult(Customer.CustomerId);

    /// <param name="turnIn">The caller's slot for the first request; null: this grain waits for a slot of its own.</param>
    private async Task<StripeCustomerRef> EnsureInTurnAsync(StripeAccess access, TimeSpan? turnIn)
    {
        var details = Customer.Details ?? throw new InvalidOperationException("The tenant's data has not reached its Stripe customer.");
        if (StripeCustomerRules.InOtherStripe(Customer, access.StripeIdentity))
        {
            // Written before a create may follow in the new Stripe, so a lost answer is looked for there.
            StripeCustomerRules.Forget(Customer);
            await state.WriteStateAsync();
            listedSinceLastCreate = true;
        }

        var turn = new Turn(this, access, turnIn);
        try
        {
            switch (StripeCustomerRules.Next(Customer, listedSinceLastCreate))
            {
                case CustomerAction.Find:
                    await turn.WaitAsync();
                    if (await stripe.FindCustomerAsync(access, Customer.CreateSentEmail, TenantKey, CancellationToken.None) is { } found)
                    {
                        // Written before the update, so a refused update (a 429) goes on from the found customer, not from another listing.
                        StripeCustomerRules.Created(Customer, found, access.StripeIdentity, synced: false);
                        await state.WriteStateAsync();
                        listedSinceLastCreate = true;
                        await turn.WaitAsync();
                        var updated = await stripe.UpdateCustomerAsync(access, StripeCustomerRules.UpdateKey(Customer, TenantKey), found, details, CancellationToken.None);
                        StripeCustomerRules.Updated(Customer);
                        await state.WriteStateAsync();
                        return new StripeCustomerRef(found, updated.HasSavedCard, Created: false, UsedTurn: true);
                    }

                    listedSinceLastCreate = true;
                    return await CreateAsync(access, details, turn);
                case CustomerAction.Create:
                    return await CreateAsync(access, details, turn);
                case CustomerAction.Update:
                    await turn.WaitAsync();
                    StripeCustomerSnapshot synced;
                    try
                    {
                        synced = await stripe.UpdateCustomerAsync(access, StripeCustomerRules.UpdateKey(Customer, TenantKey), Customer.CustomerId!, details, CancellationToken.None);
                    }
                    catch (StripeCallException missing) when (StripeCustomerRules.GoneInStripe(Customer, missing.Code))
                    {
                        // Deleted in Stripe: a new customer, recorded as one that may be created before it is.
                        await state.WriteStateAsync();
                        listedSinceLastCreate = true;
                        return await CreateAsync(access, details, turn);
                    }

                    StripeCustomerRules.Updated(Customer);
                    await state.WriteStateAsync();
                    return new StripeCustomerRef(Customer.CustomerId!, synced.HasSavedCard, Created: false, UsedTurn: true);
                default:
                    return new StripeCustomerRef(Customer.CustomerId!, null, Created: false, UsedTurn: false);
            }
        }
        catch (StripeCallException failure)
        {
            if (StripeCustomerRules.Failed(Customer, failure.Kind))
            {
                await state.WriteStateAsync();
            }

            throw;
        }
    }

    private async Task<StripeCustomerRef> CreateAsync(StripeAccess access, TenantDetails details, Turn turn)
    {
        // The record must name the email this create carries before it is sent (it does when the tenant's data was written with it).
        if (StripeCustomerRules.CreateSending(Customer, details))
        {
            await state.WriteStateAsync();
        }

        await turn.WaitAsync();
        StripeCustomerSnapshot created;
        try
        {
            created = await stripe.CreateCustomerAsync(access, StripeCustomerRules.CreateKey(Customer, TenantKey), details, TenantKey, CancellationToken.None);
        }
        catch (StripeCallException refused) when (refused.Kind != StripeFailureKind.RateLimited)
        {
            // Anything but a 429 (which did nothing) may have made the customer: list again before the next create.
            listedSinceLastCreate = false;
            throw;
        }

        StripeCustomerRules.Created(Customer, created.Id, access.StripeIdentity, synced: true);
        await state.WriteStateAsync();
        return new StripeCustomerRef(created.Id, created.HasSavedCard, Created: true, UsedTurn: true);
    }

    private async Task UpdateInBackgroundAsync(CancellationToken cancellationToken)
    {
        var accountId = GrainKeys.ParseTenant(TenantKey).AccountId;
        if (await GrainFactory.GetGrain<IAccountGrain>(accountId).GetStripeAccessAsync() is { Connected: true } access)
        {
            try
            {
                await EnsureInTurnAsync(access, null);
            }
            catch (StripeCallException)
            {
                // The next invoice brings the customer up to date before it is created.
            }
        }
    }

    /// <summary>The slot of the next request: the caller's for the first, then one booked from the pacer for each.</summary>
    private sealed class Turn(StripeCustomerGrain grain, StripeAccess access, TimeSpan? callersTurnIn)
    {
        private TimeSpan? callers = callersTurnIn;

        public Task WaitAsync()
        {
            if (callers is { } wait)
            {
                callers = null;
                return StripePacing.WaitAsync(wait);
            }

            return StripePacing.WaitTurnAsync(grain.GrainFactory, access);
        }
    }
}
