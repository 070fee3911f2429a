using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

[GenerateSerializer, Alias("stripe-customer-state")]
public sealed class StripeCustomerState
{
    [Id(0)] public string? CustomerId { get; set; }
    [Id(1)] public TenantDetails? Details { get; set; }

    /// <summary>Hash of the details Stripe last accepted for the customer.</summary>
    [Id(2)] public string? SyncedHash { get; set; }

    /// <summary>Bumped when Stripe reports the customer deleted, so the next create uses a new idempotency key.</summary>
    [Id(3)] public int Generation { get; set; }
}

/// <summary>
/// The tenant's customer in the account's Stripe. Created when the first invoice needs it; when the
/// tenant's data changes later, the customer is updated in the background (and before the next invoice
/// at the latest). Idempotency keys: <c>{tenantKey}:customer:{generation}</c> to create and
/// <c>…:update:{hash of the data}</c> to update.
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
        await state.WriteStateAsync();
        if (state.State.CustomerId is not null)
        {
            this.RegisterGrainTimer(UpdateInBackgroundAsync, new GrainTimerCreationOptions(TimeSpan.Zero, Timeout.InfiniteTimeSpan));
        }
    }

    public async Task<string> EnsureAsync(StripeAccess access)
    {
        var details = state.State.Details ?? throw new InvalidOperationException("The tenant's data has not reached its Stripe customer.");
        var hash = Hash(details);
        if (state.State.CustomerId is null)
        {
            await StripePacing.WaitTurnAsync(GrainFactory, access);
            state.State.CustomerId = await stripe.CreateCustomerAsync(
                access, $"{TenantKey}:customer:{state.State.Generation}", details, TenantKey, CancellationToken.None);
            state.State.SyncedHash = hash;
            await state.WriteStateAsync();
        }
        else if (state.State.SyncedHash != hash)
        {
            await StripePacing.WaitTurnAsync(GrainFactory, access);
            await stripe.UpdateCustomerAsync(access, $"{TenantKey}:customer:{state.State.Generation}:update:{hash}", state.State.CustomerId, details, CancellationToken.None);
            state.State.SyncedHash = hash;
            await state.WriteStateAsync();
        }

        return state.State.CustomerId;
    }

    public async Task ForgetAsync(string customerId)
    {
        if (state.State.CustomerId == customerId)
        {
            state.State.CustomerId = null;
            state.State.SyncedHash = null;
            state.State.Generation++;
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

    private static string Hash(TenantDetails details) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(details))))[..16];
}
