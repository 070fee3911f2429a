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

    /// <summary>Bumped when Stripe answered a create or update with a 5xx (which it replays for that key), so the next request gets a new key.</summary>
    [Id(6)] public int Attempt { get; set; }

    /// <summary>A create was sent and its outcome is not known yet: the email it carried, to find the customer by listing before creating again.</summary>
    [Id(7)] public string? CreateSentEmail { get; set; }

    /// <summary>Set with <see cref="CreateSentEmail"/>: a create was sent in this generation.</summary>
    [Id(8)] public bool CreateSent { get; set; }
}

/// <summary>
/// The tenant's customer in the account's Stripe. Created when the first invoice needs it; when the
/// tenant's data changes later, the customer is updated in the background (and before the next invoice
/// at the latest). Idempotency keys (<see cref="StripeIdempotencyKeys"/>): <c>{tenantKey}:customer-{generation}</c>
/// to create and <c>{tenantKey}:customer-{generation}-update-{version}</c> to update, with the attempt once
/// Stripe answered a 5xx and a fingerprint of the data sent, so a key never meets two bodies and changing
/// the data back and forth never replays an old update. Before a create is sent again after an unknown
/// outcome, the customer is looked for by listing (its email and our metadata), so a tenant has one customer.
/// A customer made in another Stripe (the account connected a different one) is replaced by a new one; so is
/// one deleted in Stripe, once an invoice meets the deletion (that invoice fails with Stripe's reason, its retry
/// goes to the new customer).
/// </summary>
[GrainType("stripe-customer")]
public sealed class StripeCustomerGrain(
    [PersistentState("stripe-customer", StorageNames.Billing)] IPersistentState<StripeCustomerState> state,
    IStripeGateway stripe) : Grain, IStripeCustomerGrain
{
    /// <summary>This activation listed the customers and sent no create since that could have made one.</summary>
    private bool listedSinceLastCreate;

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

    public Task<string> EnsureAsync(StripeAccess access) => EnsureAsync(access, forInvoice: true);

    /// <param name="forInvoice">
    /// An invoice needs the customer now. A customer deleted in Stripe is then forgotten, so that invoice fails
    /// with Stripe's reason and its retry creates a new customer; the background update leaves that to the invoice.
    /// </param>
    private async Task<string> EnsureAsync(StripeAccess access, bool forInvoice)
    {
        var details = state.State.Details ?? throw new InvalidOperationException("The tenant's data has not reached its Stripe customer.");
        if (state.State.CustomerId is not null && state.State.StripeIdentity != access.StripeIdentity)
        {
            Forget();
        }

        try
        {
            if (state.State.CustomerId is null)
            {
                await CreateAsync(access, details);
            }
            else if (state.State.SyncedVersion != state.State.Version)
            {
                await StripePacing.WaitTurnAsync(GrainFactory, access);
                try
                {
                    await stripe.UpdateCustomerAsync(access, Key($"update-{state.State.Version}", details), state.State.CustomerId, details, CancellationToken.None);
                }
                catch (StripeCallException missing) when (missing.Code == "resource_missing")
                {
                    // Deleted in Stripe: the same failure as an invoice created for it.
                    if (forInvoice)
                    {
                        Forget();
                        await state.WriteStateAsync();
                    }

                    throw new StripeCallException(StripeFailureKind.CustomerMissing, missing.Message, missing.Code, missing.Status);
                }

                state.State.SyncedVersion = state.State.Version;
                state.State.Attempt = 0;
                await state.WriteStateAsync();
            }
        }
        catch (StripeCallException failure) when (StripeIdempotencyKeys.SpendsKey(failure.Kind))
        {
            state.State.Attempt++;
            await state.WriteStateAsync();
            throw;
        }

        return state.State.CustomerId!;
    }

    private async Task CreateAsync(StripeAccess access, TenantDetails details)
    {
        // A create whose outcome is unknown may have made the customer: find it by listing before creating again.
        if (state.State.CreateSent && !listedSinceLastCreate)
        {
            await StripePacing.WaitTurnAsync(GrainFactory, access);
            if (await stripe.FindCustomerAsync(access, state.State.CreateSentEmail, TenantKey, CancellationToken.None) is { } found)
            {
                Created(found, access, synced: false);
                await state.WriteStateAsync();
                await StripePacing.WaitTurnAsync(GrainFactory, access);
                await stripe.UpdateCustomerAsync(access, Key($"update-{state.State.Version}", details), found, details, CancellationToken.None);
                state.State.SyncedVersion = state.State.Version;
                await state.WriteStateAsync();
                return;
            }

            listedSinceLastCreate = true;
        }

        // What is listed by next time: none of ours carries another email now.
        if (!state.State.CreateSent || state.State.CreateSentEmail != details.BillingEmail)
        {
            state.State.CreateSent = true;
            state.State.CreateSentEmail = details.BillingEmail;
            await state.WriteStateAsync();
        }

        await StripePacing.WaitTurnAsync(GrainFactory, access);
        string id;
        try
        {
            id = await stripe.CreateCustomerAsync(access, Key(null, details), details, TenantKey, CancellationToken.None);
        }
        catch (StripeCallException refused) when (refused.Kind != StripeFailureKind.RateLimited)
        {
            // Anything but a 429 (which did nothing) may have made the customer: list again before the next create.
            listedSinceLastCreate = false;
            throw;
        }

        Created(id, access, synced: true);
        await state.WriteStateAsync();
    }

    private void Created(string customerId, StripeAccess access, bool synced)
    {
        state.State.CustomerId = customerId;
        state.State.StripeIdentity = access.StripeIdentity;
        state.State.SyncedVersion = synced ? state.State.Version : state.State.SyncedVersion;
        state.State.CreateSent = false;
        state.State.CreateSentEmail = null;
        state.State.Attempt = 0;
    }

    /// <summary>The key of a create (<paramref name="update"/> null) or an update: generation, attempt, and the data sent.</summary>
    private string Key(string? update, TenantDetails details) =>
        StripeIdempotencyKeys.For(
            TenantKey,
            update is null ? $"customer-{state.State.Generation}" : $"customer-{state.State.Generation}-{update}",
            attempt: state.State.Attempt,
            fingerprint: StripeIdempotencyKeys.Fingerprint(details.Name, details.Phone, details.BillingEmail, details.ContactName, details.Address));

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
                await EnsureAsync(access, forInvoice: false);
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
        state.State.Attempt = 0;
        state.State.CreateSent = false;
        state.State.CreateSentEmail = null;
    }
}
