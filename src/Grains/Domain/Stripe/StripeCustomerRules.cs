using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>What the tenant's Stripe customer needs next (<see cref="StripeCustomerRules.Next"/>).</summary>
public enum CustomerAction
{
    /// <summary>It exists in this Stripe with the tenant's current data: no request.</summary>
    Ready,
    /// <summary>A create may have made it: look for it by listing the customers with the email the create carried.</summary>
    Find,
    Create,
    Update,
}

/// <summary>
/// The tenant's customer in the account's Stripe, as rules. It is created when the first invoice needs it
/// and updated when the tenant's data changes. Keys (<see cref="StripeIdempotencyKeys"/>):
/// <c>{tenantKey}:customer-{generation}</c> to create and <c>{tenantKey}:customer-{generation}-update-{version}</c>
/// to update, with the attempt once Stripe answered a 5xx and a fingerprint of the data sent, so a key never
/// meets two bodies and data changed back and forth never replays an old update. A create whose outcome is not
/// known is never repeated before the customer was looked for by listing (its email and our metadata), so a
/// tenant has one customer; a customer of another Stripe (the account connected a different one) is replaced.
/// <para>
/// What says a create may have been sent is the record (<see cref="IStripeCustomerRecord.CreateSent"/>), or, before
/// the record was ever written, the stored hand-over of the tenant's invoice that asks for the customer (an invoice
/// stores its draft before it asks). So the first invoice's data is taken without a write (<see cref="StartUnstored"/>),
/// the create writes the record once, and an activation that finds no record and has heard nothing from the tenant
/// (<see cref="Unknown"/>) looks for the customer before creating it, by the tenant's email: the tenant has the record
/// keep its email before that email changes while a create may have been sent. A create that no invoice asks for
/// writes the record first (<see cref="RecordBeforeCreate"/>).
/// </para>
/// </summary>
public static class StripeCustomerRules
{
    /// <summary>
    /// Takes the tenant's data (false when it is what the record has). Before the customer exists, the record
    /// written with the data also says a create may follow, with this email: whoever finds the record
    /// without the customer looks for it first (<see cref="Next"/>), so no write is needed just before the create.
    /// When a create may already have been sent, the record keeps the email that create carried.
    /// </summary>
    public static bool Take(IStripeCustomerRecord customer, TenantDetails details)
    {
        if (customer.Details == details)
        {
            return false;
        }

        customer.Details = details;
        customer.Version++;
        if (customer.CustomerId is null && !customer.CreateSent)
        {
            // A create that may have been sent keeps its email: that is where a lost customer is looked for.
            MayCreate(customer, details);
        }

        return true;
    }

    /// <summary>
    /// The record was never written (<paramref name="recordStored"/> false) and this activation has not had the
    /// tenant's data: an earlier activation may have sent a create an invoice asked for, so the customer is looked for first.
    /// </summary>
    public static bool Unknown(IStripeCustomerRecord customer, bool recordStored) => !recordStored && customer.Details is null;

    /// <summary>
    /// Takes the tenant's data into a record never written (<see cref="Unknown"/>) without writing it: as after
    /// <see cref="Take"/>, a create may follow with this email; what makes that durable is the asking invoice's stored
    /// hand-over (or the tenant, which has the record written before its email changes).
    /// </summary>
    public static void StartUnstored(IStripeCustomerRecord customer, TenantDetails details) => Take(customer, details);

    /// <summary>
    /// A create is about to carry <paramref name="details"/>: true when the record must be written first, because
    /// it does not name that email yet (<see cref="CreateSending"/>), or because it was never written and no invoice
    /// asks (only an asking invoice's stored hand-over stands in for the record).
    /// </summary>
    public static bool RecordBeforeCreate(IStripeCustomerRecord customer, TenantDetails details, bool recordStored, bool byInvoice) =>
        CreateSending(customer, details) | (!recordStored && !byInvoice);

    /// <summary>The recorded customer lives in another Stripe than <paramref name="stripeIdentity"/> (the account connected a different one): it is replaced (<see cref="Forget"/>).</summary>
    public static bool InOtherStripe(IStripeCustomerRecord customer, string? stripeIdentity) =>
        customer.CustomerId is not null && customer.StripeIdentity != stripeIdentity;

    /// <summary>What is needed before the customer can be billed in the Stripe it lives in.</summary>
    /// <param name="listedSinceLastCreate">Nothing was sent since this activation wrote the record, or since the customers were listed.</param>
    public static CustomerAction Next(IStripeCustomerRecord customer, bool listedSinceLastCreate)
    {
        if (customer.CustomerId is null)
        {
            return customer.CreateSent && !listedSinceLastCreate ? CustomerAction.Find : CustomerAction.Create;
        }

        return customer.SyncedVersion != customer.Version ? CustomerAction.Update : CustomerAction.Ready;
    }

    /// <summary>Whether the customer can be billed in <paramref name="stripeIdentity"/> as it is, with no request.</summary>
    public static bool IsReady(IStripeCustomerRecord customer, string? stripeIdentity) =>
        customer.CustomerId is not null && customer.StripeIdentity == stripeIdentity && customer.SyncedVersion == customer.Version;

    /// <summary>
    /// A create is about to carry <paramref name="details"/>: true when the record must say so first (the email
    /// it carries differs from what the record says a create may have carried).
    /// </summary>
    public static bool CreateSending(IStripeCustomerRecord customer, TenantDetails details)
    {
        if (customer.CreateSent && customer.CreateSentEmail == details.BillingEmail)
        {
            return false;
        }

        MayCreate(customer, details);
        return true;
    }

    /// <summary>The customer exists in <paramref name="stripeIdentity"/> (made by our create, or found); <paramref name="synced"/>: it carries the current data.</summary>
    public static void Created(IStripeCustomerRecord customer, string customerId, string? stripeIdentity, bool synced)
    {
        customer.CustomerId = customerId;
        customer.StripeIdentity = stripeIdentity;
        customer.SyncedVersion = synced ? customer.Version : customer.SyncedVersion;
        customer.CreateSent = false;
        customer.CreateSentEmail = null;
        customer.Attempt = 0;
    }

    public static void Updated(IStripeCustomerRecord customer)
    {
        customer.SyncedVersion = customer.Version;
        customer.Attempt = 0;
    }

    /// <summary>A request failed: after a 5xx the next one takes a new key (true when the record changed).</summary>
    public static bool Failed(IStripeCustomerRecord customer, StripeFailureKind kind)
    {
        if (!StripeIdempotencyKeys.SpendsKey(kind))
        {
            return false;
        }

        customer.Attempt++;
        return true;
    }

    /// <summary>The customer is gone (deleted in Stripe) or belongs to another Stripe: the next one is a new customer, with new keys.</summary>
    public static void Forget(IStripeCustomerRecord customer)
    {
        customer.CustomerId = null;
        customer.StripeIdentity = null;
        customer.Generation++;
        customer.Attempt = 0;
        customer.CreateSent = false;
        customer.CreateSentEmail = null;
        if (customer.Details is { } details)
        {
            MayCreate(customer, details);
        }
    }

    /// <summary>
    /// A request to the customer itself (an update) answered <c>resource_missing</c>: the customer was deleted in
    /// Stripe, so it is forgotten and the invoice that needs it gets a new one (true when that applies).
    /// </summary>
    public static bool GoneInStripe(IStripeCustomerRecord customer, string? errorCode)
    {
        if (customer.CustomerId is null || errorCode != ResourceMissing)
        {
            return false;
        }

        Forget(customer);
        return true;
    }

    public const string ResourceMissing = "resource_missing";

    public static string CreateKey(IStripeCustomerRecord customer, string tenantKey) => Key(customer, tenantKey, null);

    public static string UpdateKey(IStripeCustomerRecord customer, string tenantKey) => Key(customer, tenantKey, $"update-{customer.Version}");

    private static void MayCreate(IStripeCustomerRecord customer, TenantDetails details)
    {
        customer.CreateSent = true;
        customer.CreateSentEmail = details.BillingEmail;
    }

    private static string Key(IStripeCustomerRecord customer, string tenantKey, string? update)
    {
        var details = customer.Details ?? throw new InvalidOperationException("The tenant's data has not reached its Stripe customer.");
        return StripeIdempotencyKeys.For(
            tenantKey,
            update is null ? $"customer-{customer.Generation}" : $"customer-{customer.Generation}-{update}",
            attempt: customer.Attempt,
            fingerprint: StripeIdempotencyKeys.Fingerprint(details.Name, details.Phone, details.BillingEmail, details.ContactName, details.Address));
    }
}
