namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>A Stripe customer as the pipeline needs to know it: its id and whether it has a card to charge.</summary>
public sealed record StripeCustomerSnapshot(string Id, bool HasSavedCard);
