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

    /// <summary>
    /// Takes the tenant's data before its first invoice is handed over. While nothing is stored for the customer,
    /// the data is kept without a write: the invoice's hand-over, stored before it asks for the customer, is what
    /// says a create may be sent. <paramref name="mayHaveBeenCreated"/>: the tenant is not certain that no invoice of
    /// it was handed over before (false only when it is), so a create may have been sent and the customer is looked
    /// for before another. Otherwise as <see cref="SyncAsync"/>.
    /// </summary>
    Task StartAsync(TenantDetails details, bool mayHaveBeenCreated);

    /// <summary>
    /// The tenant's email is about to change while a create may have been sent with <paramref name="current"/>'s:
    /// the record is written naming that email (where the customer is looked for), unless it is stored already.
    /// </summary>
    Task KeepCreateEmailAsync(TenantDetails current);

    /// <summary>
    /// The customer, ready to bill in the Stripe connected now (<paramref name="stripeIdentity"/>) with the
    /// tenant's current data, or null when a Stripe request is needed first (<see cref="StepInTurnAsync"/>).
    /// </summary>
    [AlwaysInterleave]
    Task<StripeCustomerRef?> ReadyAsync(string? stripeIdentity);

    /// <summary>
    /// The customer's next Stripe request, sent at once: the caller waited for its slot. Returns the customer
    /// once it is ready to bill (<see cref="StripeCustomerRef.UsedTurn"/> false when no request was needed), or
    /// null when the request was sent and another is needed, in the caller's next slot. One request per call, so
    /// a call never waits for a slot (which can be further away than a grain call may take); its bound covers one
    /// Stripe request at the longest request timeout allowed (StripeOptions.RequestTimeout) and its writes.
    /// </summary>
    [ResponseTimeout("00:01:30")]
    Task<StripeCustomerRef?> StepInTurnAsync(StripeAccess access);

    /// <summary>Stripe says the customer is gone (deleted): the next <see cref="StepInTurnAsync"/> creates a new one.</summary>
    Task ForgetAsync(string customerId);

    /// <summary>The Stripe customer id, or null before the first invoice.</summary>
    [AlwaysInterleave]
    Task<string?> GetIdAsync();
}
