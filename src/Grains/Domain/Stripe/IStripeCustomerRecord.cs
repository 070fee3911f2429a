using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>What <see cref="StripeCustomerRules"/> reads and changes: the customer grain's persisted state.</summary>
public interface IStripeCustomerRecord
{
    string? CustomerId { get; set; }

    TenantDetails? Details { get; set; }

    /// <summary>The version of <see cref="Details"/> Stripe last accepted for the customer.</summary>
    int SyncedVersion { get; set; }

    /// <summary>Bumped when a new customer is needed (deleted in Stripe, another Stripe connected), so its create gets a new key.</summary>
    int Generation { get; set; }

    /// <summary>Bumped each time the tenant's data changes: each version is one update with its own key.</summary>
    int Version { get; set; }

    /// <summary>The Stripe account the customer lives in.</summary>
    string? StripeIdentity { get; set; }

    /// <summary>Bumped when Stripe answered a create or update with a 5xx, so the next request gets a new key.</summary>
    int Attempt { get; set; }

    /// <summary>The email a create may have been sent with: the customer is looked for among those with it before creating again.</summary>
    string? CreateSentEmail { get; set; }

    /// <summary>A create may have been sent in this generation.</summary>
    bool CreateSent { get; set; }
}
