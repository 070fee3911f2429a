using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>What the invoice pipeline asks of Stripe. Every POST takes its idempotency key from the caller; failures are <see cref="StripeCallException"/>s.</summary>
public interface IStripeGateway
{
    /// <summary>Retrieves the Stripe account the connection reaches: the cheap authenticated read that checks a key or a Connect id.</summary>
    Task<StripeAccountInfo> RetrieveAccountAsync(StripeAccess access, CancellationToken cancellationToken);

    /// <summary>Reads one invoice from the list, the check for a restricted key that may not read the account.</summary>
    Task CheckInvoicesReadableAsync(StripeAccess access, CancellationToken cancellationToken);

    Task<StripeCustomerSnapshot> CreateCustomerAsync(StripeAccess access, string idempotencyKey, TenantDetails details, string tenantKey, CancellationToken cancellationToken);

    Task<StripeCustomerSnapshot> UpdateCustomerAsync(StripeAccess access, string idempotencyKey, string customerId, TenantDetails details, CancellationToken cancellationToken);

    /// <summary>
    /// Creates a draft invoice holding only the lines added to it later (pending items are excluded), collected as
    /// <paramref name="collectionMethod"/>; <paramref name="readCustomer"/>: the answer includes the customer (to see its saved card).
    /// </summary>
    Task<StripeInvoiceSnapshot> CreateInvoiceAsync(
        StripeAccess access, string idempotencyKey, string customerId, string invoiceKey, string description, string collectionMethod, bool readCustomer, CancellationToken cancellationToken);

    /// <summary>Turns a draft into an invoice that is emailed for payment (no saved card to charge).</summary>
    Task<StripeInvoiceSnapshot> SwitchToSendInvoiceAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken);

    /// <summary>
    /// The customer's invoices that carry <paramref name="invoiceKey"/> in their metadata, read by listing them all
    /// (strongly consistent, unlike Stripe's search, which can lag a minute; a customer has a few a month).
    /// No date filter: Stripe's clock, not ours, stamps <c>created</c>.
    /// </summary>
    Task<IReadOnlyList<StripeInvoiceSnapshot>> ListInvoicesAsync(StripeAccess access, string customerId, string invoiceKey, CancellationToken cancellationToken);

    /// <summary>The customer carrying <paramref name="tenantKey"/> in its metadata among those with <paramref name="email"/>, or null (listed, not searched).</summary>
    Task<string?> FindCustomerAsync(StripeAccess access, string? email, string tenantKey, CancellationToken cancellationToken);

    /// <summary>Reads one invoice; <paramref name="readCustomer"/>: with its customer (to see its saved card).</summary>
    Task<StripeInvoiceSnapshot> GetInvoiceAsync(StripeAccess access, string invoiceId, bool readCustomer, CancellationToken cancellationToken);

    /// <summary>Adds every line in one request, each non-discountable and carrying its taxes as Stripe tax amounts.</summary>
    Task<StripeInvoiceSnapshot> AddLinesAsync(StripeAccess access, string idempotencyKey, string invoiceId, IReadOnlyList<StripeInvoiceLines.Line> lines, CancellationToken cancellationToken);

    /// <summary>Deletes a draft invoice; true when it was deleted, false when Stripe no longer has it.</summary>
    Task<bool> DeleteDraftAsync(StripeAccess access, string invoiceId, CancellationToken cancellationToken);

    Task<StripeInvoiceSnapshot> FinalizeAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken);

    Task<StripeInvoiceSnapshot> SendAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken);

    /// <summary>
    /// One page (up to 100, newest first) of the account's <c>invoice.sent</c> events created at or after
    /// <paramref name="since"/> (Stripe's clock; null: all Stripe keeps), after the event
    /// <paramref name="startingAfter"/>: whether one is for <paramref name="invoiceId"/>, and the cursor of the
    /// next page (null when none follows). Stripe records the event for every send that ran, its answer lost or not.
    /// </summary>
    Task<SentEventsPage> FindSentEventAsync(StripeAccess access, string invoiceId, DateTimeOffset? since, string? startingAfter, CancellationToken cancellationToken);

    Task<StripeInvoiceSnapshot> PayAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken);

    /// <summary>How long a Stripe request has taken lately (a moving average): how far apart an invoice's requests are booked.</summary>
    TimeSpan TypicalLatency { get; }
}

/// <summary>A page of <c>invoice.sent</c> events: whether ours was among them, and where the next page starts (null: none).</summary>
public sealed record SentEventsPage(bool Found, string? NextCursor);
