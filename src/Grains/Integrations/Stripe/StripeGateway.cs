using System.Net;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// Stripe.net behind <see cref="IStripeGateway"/>, through <see cref="StripeAccountClient"/> (one client, the key
/// per request, no Stripe.net retries). Stripe.net sends each request and turns Stripe's errors into exceptions,
/// but the parameters are encoded by <see cref="StripeRequests"/> and the answers read by
/// <see cref="StripeAnswers"/> for only the fields kept: Stripe.net's reflective encoder and its full object
/// model were a third of the API's CPU per invoice. Answers include the customer only where its saved card matters.
/// </summary>
public sealed class StripeGateway(StripeAccountClient stripe) : IStripeGateway
{
    public const string HttpClientName = "stripe";

    /// <summary>The metadata field carrying our invoice key on every Stripe invoice.</summary>
    public const string InvoiceKeyMetadata = "tenant_billing_invoice";

    /// <summary>Every amount we compose is in US dollars.</summary>
    public const string Currency = "usd";

    private readonly RequestLatency latency = new(TimeSpan.FromMilliseconds(50));

    public TimeSpan TypicalLatency => latency.Typical;

    public async Task<StripeAccountInfo> RetrieveAccountAsync(StripeAccess access, CancellationToken cancellationToken) =>
        StripeAnswers.Account(await Call(HttpMethod.Get, "/v1/account", null, access, null, cancellationToken));

    public Task CheckInvoicesReadableAsync(StripeAccess access, CancellationToken cancellationToken) =>
        Call(HttpMethod.Get, "/v1/invoices", "limit=1", access, null, cancellationToken);

    public async Task<StripeCustomerSnapshot> CreateCustomerAsync(StripeAccess access, string idempotencyKey, TenantDetails details, string tenantKey, CancellationToken cancellationToken) =>
        StripeAnswers.Customer(await Call(HttpMethod.Post, "/v1/customers", CustomerMapping.ForCreate(details, tenantKey), access, idempotencyKey, cancellationToken));

    public async Task<StripeCustomerSnapshot> UpdateCustomerAsync(StripeAccess access, string idempotencyKey, string customerId, TenantDetails details, CancellationToken cancellationToken) =>
        StripeAnswers.Customer(await Call(HttpMethod.Post, "/v1/customers/" + Id(customerId), CustomerMapping.ForUpdate(details), access, idempotencyKey, cancellationToken));

    public async Task<StripeInvoiceSnapshot> CreateInvoiceAsync(
        StripeAccess access, string idempotencyKey, string customerId, string invoiceKey, string description, string collectionMethod, bool readCustomer, CancellationToken cancellationToken) =>
        StripeAnswers.Invoice(await Call(
            HttpMethod.Post,
            "/v1/invoices",
            StripeRequests.CreateInvoice(customerId, invoiceKey, description, collectionMethod, access.Settings.DaysUntilDue, readCustomer),
            access,
            idempotencyKey,
            cancellationToken));

    public async Task<StripeInvoiceSnapshot> SwitchToSendInvoiceAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken) =>
        StripeAnswers.Invoice(await Call(HttpMethod.Post, "/v1/invoices/" + Id(invoiceId), StripeRequests.SwitchToSendInvoice(access.Settings.DaysUntilDue), access, idempotencyKey, cancellationToken));

    public async Task<IReadOnlyList<StripeInvoiceSnapshot>> ListInvoicesAsync(
        StripeAccess access, string customerId, string invoiceKey, CancellationToken cancellationToken)
    {
        var found = new List<StripeInvoiceSnapshot>();
        string? after = null;
        do
        {
            var page = StripeAnswers.InvoicesWithKey(await Call(HttpMethod.Get, "/v1/invoices", StripeRequests.ListInvoices(customerId, after), access, null, cancellationToken), invoiceKey);
            found.AddRange(page.Matches);
            after = NextCursor(page);
        }
        while (after is not null);

        return found;
    }

    public async Task<string?> FindCustomerAsync(StripeAccess access, string? email, string tenantKey, CancellationToken cancellationToken)
    {
        string? after = null;
        do
        {
            var page = StripeAnswers.CustomersWithKey(await Call(HttpMethod.Get, "/v1/customers", StripeRequests.ListCustomers(email, after), access, null, cancellationToken), tenantKey);
            if (page.Matches.Count > 0)
            {
                return page.Matches[0];
            }

            after = NextCursor(page);
        }
        while (after is not null);

        return null;
    }

    public async Task<StripeInvoiceSnapshot> GetInvoiceAsync(StripeAccess access, string invoiceId, bool readCustomer, CancellationToken cancellationToken) =>
        StripeAnswers.Invoice(await Call(HttpMethod.Get, "/v1/invoices/" + Id(invoiceId), readCustomer ? "expand[0]=customer" : null, access, null, cancellationToken));

    public async Task<StripeInvoiceSnapshot> AddLinesAsync(
        StripeAccess access, string idempotencyKey, string invoiceId, IReadOnlyList<StripeInvoiceLines.Line> lines, CancellationToken cancellationToken) =>
        StripeAnswers.Invoice(await Call(HttpMethod.Post, "/v1/invoices/" + Id(invoiceId) + "/add_lines", StripeRequests.AddLines(lines), access, idempotencyKey, cancellationToken));

    public async Task<bool> DeleteDraftAsync(StripeAccess access, string invoiceId, CancellationToken cancellationToken)
    {
        try
        {
            await Call(HttpMethod.Delete, "/v1/invoices/" + Id(invoiceId), null, access, null, cancellationToken);
            return true;
        }
        catch (StripeCallException missing) when (missing.Code == "resource_missing")
        {
            return false;
        }
    }

    public async Task<StripeInvoiceSnapshot> FinalizeAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken) =>
        StripeAnswers.Invoice(await Call(HttpMethod.Post, "/v1/invoices/" + Id(invoiceId) + "/finalize", StripeRequests.Finalize(), access, idempotencyKey, cancellationToken));

    public async Task<StripeInvoiceSnapshot> SendAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken) =>
        StripeAnswers.Invoice(await Call(HttpMethod.Post, "/v1/invoices/" + Id(invoiceId) + "/send", StripeRequests.Send(), access, idempotencyKey, cancellationToken));

    public async Task<SentEventsPage> FindSentEventAsync(
        StripeAccess access, string invoiceId, DateTimeOffset? since, string? startingAfter, CancellationToken cancellationToken)
    {
        var page = StripeAnswers.EventsForInvoice(await Call(HttpMethod.Get, "/v1/events", StripeRequests.ListSentEvents(since, startingAfter), access, null, cancellationToken), invoiceId);
        var found = page.Matches.Count > 0;
        return new SentEventsPage(found, !found && page.HasMore && page.LastId is not null ? page.LastId : null);
    }

    public async Task<StripeInvoiceSnapshot> PayAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken) =>
        StripeAnswers.Invoice(await Call(HttpMethod.Post, "/v1/invoices/" + Id(invoiceId) + "/pay", StripeRequests.Pay(), access, idempotencyKey, cancellationToken));

    /// <summary>The next page's cursor, as Stripe.net's auto-paging follows a list: the last item's id while Stripe has more.</summary>
    private static string? NextCursor<T>(StripeAnswers.Page<T> page)
        where T : class =>
        page.HasMore && page.LastId is { Length: > 0 } last ? last : null;

    /// <summary>An object's id in a path, encoded as Stripe.net encodes it.</summary>
    private static string Id(string id) => WebUtility.UrlEncode(id);

    private async Task<string> Call(HttpMethod method, string path, string? parameters, StripeAccess access, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await stripe.SendAsync(method, path, parameters, access, idempotencyKey, cancellationToken);
        }
        catch (Exception exception) when (StripeCallException.IsStripeFailure(exception))
        {
            // Only Stripe's error type, code, message and request id go on, never its raw answer.
            throw StripeCallException.From(exception);
        }
        finally
        {
            latency.Add(System.Diagnostics.Stopwatch.GetElapsedTime(started));
        }
    }
}
