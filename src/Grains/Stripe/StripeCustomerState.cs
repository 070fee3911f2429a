using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

/// <summary>The tenant's Stripe customer (see <see cref="IStripeCustomerRecord"/> for what each field means to the rules).</summary>
[GenerateSerializer, Alias("stripe-customer-state")]
public sealed class StripeCustomerState : IStripeCustomerRecord
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

    /// <summary>The email a create may have been sent with: the customer is looked for by listing those with it before creating again.</summary>
    [Id(7)] public string? CreateSentEmail { get; set; }

    /// <summary>A create may have been sent in this generation (set with the tenant's data, before the create).</summary>
    [Id(8)] public bool CreateSent { get; set; }
}
