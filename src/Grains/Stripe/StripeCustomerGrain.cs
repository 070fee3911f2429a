using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

/// <summary>
/// The tenant's customer in the account's Stripe (the rules: <see cref="StripeCustomerRules"/>). Created when
/// the first invoice needs it, in that invoice's slot; when the tenant's data changes later, the customer is
/// updated in the background (and before the next invoice at the latest). The first invoice costs one write, the
/// customer created: the tenant's data reaches the grain before it (<see cref="StartAsync"/>) without a write,
/// because what says that a create may have been sent is the hand-over record the asking invoice stored before it
/// asked (<see cref="StripeCustomerRules.StartUnstored"/>).
/// </summary>
[GrainType("stripe-customer")]
public sealed class StripeCustomerGrain(
    [PersistentState("stripe-customer", StorageNames.Billing)] IPersistentState<StripeCustomerState> state,
    IStripeGateway stripe) : Grain, IStripeCustomerGrain
{
    /// <summary>Since this activation wrote or read the record, no create that could have made the customer was sent without listing after it.</summary>
    private bool listedSinceLastCreate;

    private IGrainTimer? backgroundTimer;

    /// <summary>The background update's next tick is at a slot it booked.</summary>
    private bool backgroundSlotBooked;

    private StripeCustomerState Customer => state.State;

    /// <summary>Nothing is stored and nothing came from the tenant since this activation started: an earlier one may have sent a create.</summary>
    private bool Unknown => StripeCustomerRules.Unknown(Customer, state.RecordExists);

    private string TenantKey => this.GetPrimaryKeyString();

    public async Task SyncAsync(TenantDetails details)
    {
        var createMayHaveBeenSent = Customer.CreateSent || Unknown;
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
            backgroundSlotBooked = false;
            UpdateInBackgroundIn(TimeSpan.Zero);
        }
    }

    public async Task StartAsync(TenantDetails details, bool mayHaveBeenCreated)
    {
        if (!Unknown)
        {
            await SyncAsync(details);
            return;
        }

        // Kept unwritten until the create: the stored hand-over of the invoice that asks for it says a create may have been sent.
        StripeCustomerRules.StartUnstored(Customer, details);
        listedSinceLastCreate = !mayHaveBeenCreated;
    }

    public async Task KeepCreateEmailAsync(TenantDetails current)
    {
        if (state.RecordExists)
        {
            return;
        }

        if (Unknown)
        {
            StripeCustomerRules.StartUnstored(Customer, current);
            listedSinceLastCreate = false;
        }

        await state.WriteStateAsync();
    }

    public Task<StripeCustomerRef?> ReadyAsync(string? stripeIdentity) =>
        Task.FromResult(StripeCustomerRules.IsReady(Customer, stripeIdentity) ? new StripeCustomerRef(Customer.CustomerId!, null, Created: false, UsedTurn: false) : null);

    public Task<StripeCustomerRef?> StepInTurnAsync(StripeAccess access) => StepAsync(access, byInvoice: true);

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

    /// <summary>
    /// The customer's next Stripe request (at most one): the customer once it is ready to bill, or null when
    /// it needs another request (which the caller sends in a slot of its own by calling again).
    /// </summary>
    /// <remarks>Sent at once: the caller (an invoice, or the background update) waited for its slot of the account's pacer.</remarks>
    /// <param name="byInvoice">An invoice asks, which stored its hand-over before (that record says a create may be sent).</param>
    private async Task<StripeCustomerRef?> StepAsync(StripeAccess access, bool byInvoice)
    {
        if (Unknown)
        {
            // An earlier activation may have sent a create with the tenant's data as it is now (the tenant has its
            // email kept in the record before that changes): the customer is looked for first.
            var tenantData = (await GrainFactory.GetGrain<ITenantGrain>(TenantKey).GetAsync())?.Details
                ?? throw new InvalidOperationException("The tenant's data has not reached its Stripe customer.");
            StripeCustomerRules.StartUnstored(Customer, tenantData);
            listedSinceLastCreate = false;
        }

        var details = Customer.Details ?? throw new InvalidOperationException("The tenant's data has not reached its Stripe customer.");
        if (StripeCustomerRules.InOtherStripe(Customer, access.StripeIdentity))
        {
            // Written before a create may follow in the new Stripe, so a lost answer is looked for there.
            StripeCustomerRules.Forget(Customer);
            await state.WriteStateAsync();
            listedSinceLastCreate = true;
        }

        var action = StripeCustomerRules.Next(Customer, listedSinceLastCreate);
        if (action == CustomerAction.Ready)
        {
            return new StripeCustomerRef(Customer.CustomerId!, null, Created: false, UsedTurn: false);
        }

        try
        {
            switch (action)
            {
                case CustomerAction.Find:
                    var found = await stripe.FindCustomerAsync(access, Customer.CreateSentEmail, TenantKey, CancellationToken.None);
                    listedSinceLastCreate = true;
                    if (found is not null)
                    {
                        // Written before the update, so a refused update (a 429) goes on from the found customer, not from another listing.
                        StripeCustomerRules.Created(Customer, found, access.StripeIdentity, synced: false);
                        await state.WriteStateAsync();
                    }

                    return null;
                case CustomerAction.Create:
                    return await CreateAsync(access, details, byInvoice);
                default:
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
                        return null;
                    }

                    StripeCustomerRules.Updated(Customer);
                    await state.WriteStateAsync();
                    return new StripeCustomerRef(Customer.CustomerId!, synced.HasSavedCard, Created: false, UsedTurn: true);
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

    private async Task<StripeCustomerRef> CreateAsync(StripeAccess access, TenantDetails details, bool byInvoice)
    {
        // The record must name the email this create carries before it is sent (it does when the tenant's data was
        // written with it); a record never written names it only for a create an invoice asks for.
        if (StripeCustomerRules.RecordBeforeCreate(Customer, details, state.RecordExists, byInvoice))
        {
            await state.WriteStateAsync();
        }

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

    /// <summary>
    /// Brings the customer up to date in the background, one request a tick. A tick never waits for its slot
    /// while it holds the grain (an invoice's call would queue behind it past its response timeout): it books
    /// the slot and comes back at it.
    /// </summary>
    private async Task UpdateInBackgroundAsync()
    {
        var slotBooked = backgroundSlotBooked;
        backgroundSlotBooked = false;
        var accountId = GrainKeys.ParseTenant(TenantKey).AccountId;
        if (await GrainFactory.GetGrain<IAccountGrain>(accountId).GetStripeAccessAsync() is not { Connected: true } access
            || StripeCustomerRules.IsReady(Customer, access.StripeIdentity))
        {
            return;
        }

        if (!slotBooked && await StripePacing.ReserveAsync(GrainFactory, access) is var wait && wait > TimeSpan.Zero)
        {
            backgroundSlotBooked = true;
            UpdateInBackgroundIn(wait);
            return;
        }

        try
        {
            if (await StepAsync(access, byInvoice: false) is null)
            {
                UpdateInBackgroundIn(TimeSpan.Zero);
            }
        }
        catch (StripeCallException)
        {
            // The next invoice brings the customer up to date before it is created.
        }
    }

    private void UpdateInBackgroundIn(TimeSpan due)
    {
        backgroundTimer ??= this.RegisterGrainTimer(_ => UpdateInBackgroundAsync(), new GrainTimerCreationOptions(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan));
        backgroundTimer.Change(due, Timeout.InfiniteTimeSpan);
    }
}
