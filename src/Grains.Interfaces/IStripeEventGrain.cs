namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// Applies Stripe's thin events (v1 events by reference: the event names the invoice, not its content).
/// Stateless: it reads the invoice from the account's own Stripe and hands what it found to the invoice
/// grain its metadata names.
/// </summary>
public interface IStripeEventGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Reads invoice <paramref name="stripeInvoiceId"/> from account <paramref name="accountId"/>'s Stripe and applies
    /// <paramref name="type"/> (<c>invoice.paid</c>, …) to our invoice when the event came from that Stripe
    /// (<paramref name="stripeAccountId"/>: the Connect account it names, or null for an account's own key) and the
    /// invoice carries one of the account's invoice keys. False when nothing applied; Unavailable when Stripe did not answer,
    /// or when the read's slot in the account's pace is seconds away (it is then read and applied at that slot, in the background).
    /// </summary>
    Task<bool> ApplyThinInvoiceEventAsync(string accountId, string? stripeAccountId, string eventId, string type, string stripeInvoiceId);
}
