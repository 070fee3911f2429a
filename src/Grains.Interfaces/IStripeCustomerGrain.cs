using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// The Stripe customer of one tenant, keyed like the tenant (<c>{accountId}/{tenantId}</c>): created
/// on first need, updated when the tenant's data changes.
/// </summary>
public interface IStripeCustomerGrain : IGrainWithStringKey
{
    /// <summary>Takes the tenant's current data; an existing customer is updated in Stripe.</summary>
    Task SyncAsync(TenantDetails details);

    /// <summary>The customer's id, creating or updating the customer in Stripe first when needed.</summary>
    Task<string> EnsureAsync(StripeAccess access);

    /// <summary>
    /// The customer, ready to bill in the Stripe connected now (<paramref name="stripeIdentity"/>) with the
    /// tenant's current data, or null when a Stripe request is needed first (<see cref="EnsureInTurnAsync"/>).
    /// </summary>
    [AlwaysInterleave]
    Task<StripeCustomerRef?> ReadyAsync(string? stripeIdentity);

    /// <summary>
    /// As <see cref="EnsureAsync"/>, with the first Stripe request sent in the caller's slot, <paramref name="firstRequestIn"/>
    /// from now (the pacer gave it to the caller with the rest of its run); any further request waits for a slot of its own.
    /// </summary>
    Task<StripeCustomerRef> EnsureInTurnAsync(StripeAccess access, TimeSpan firstRequestIn);

    /// <summary>Stripe says the customer is gone (deleted): the next <see cref="EnsureAsync"/> creates a new one.</summary>
    Task ForgetAsync(string customerId);

    /// <summary>The Stripe customer id, or null before the first invoice.</summary>
    [AlwaysInterleave]
    Task<string?> GetIdAsync();
}
