using global::Stripe;
using Microsoft.Extensions.Options;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// Stripe.net behind <see cref="IStripeGateway"/>: one <see cref="StripeClient"/> on one HttpClient, with the
/// key (and, for Connect accounts, <c>Stripe-Account</c>) given per request, so no client or decrypted key is
/// kept per account. Stripe.net's own retries are off because the invoice grain retries with keys it can
/// reproduce. Answers include the customer only where its saved card matters.
/// </summary>
public sealed class StripeGateway : IStripeGateway
{
    public const string HttpClientName = "stripe";

    /// <summary>The metadata field carrying our invoice key on every Stripe invoice.</summary>
    public const string InvoiceKeyMetadata = "tenant_billing_invoice";

    /// <summary>Every amount we compose is in US dollars.</summary>
    public const string Currency = "usd";

    private static readonly List<string> WithCustomer = ["customer"];

    private readonly IOptions<StripeOptions> options;
    private readonly SecretProtector secrets;
    private readonly AccountService accounts;
    private readonly CustomerService customers;
    private readonly InvoiceService invoices;
    private readonly EventService events;
    private readonly RequestLatency latency = new(TimeSpan.FromMilliseconds(50));

    public StripeGateway(IOptions<StripeOptions> options, SecretProtector secrets, IHttpClientFactory httpClients)
    {
        this.options = options;
        this.secrets = secrets;
        var client = new StripeClient(new StripeClientOptions
        {
            ApiBase = options.Value.ApiBase,
            HttpClient = new SystemNetHttpClient(httpClients.CreateClient(HttpClientName), maxNetworkRetries: 0),
        });
        accounts = new AccountService(client);
        customers = new CustomerService(client);
        invoices = new InvoiceService(client);
        events = new EventService(client);
    }

    public TimeSpan TypicalLatency => latency.Typical;

    public async Task<StripeAccountInfo> RetrieveAccountAsync(StripeAccess access, CancellationToken cancellationToken)
    {
        var account = await Call(() => accounts.GetSelfAsync(Request(access, null), cancellationToken));
        return new StripeAccountInfo(account.Id, account.ChargesEnabled);
    }

    public Task CheckInvoicesReadableAsync(StripeAccess access, CancellationToken cancellationToken) =>
        Call(() => invoices.ListAsync(new InvoiceListOptions { Limit = 1 }, Request(access, null), cancellationToken));

    public async Task<StripeCustomerSnapshot> CreateCustomerAsync(StripeAccess access, string idempotencyKey, TenantDetails details, string tenantKey, CancellationToken cancellationToken) =>
        Customer(await Call(() => customers.CreateAsync(CustomerMapping.ForCreate(details, tenantKey), Request(access, idempotencyKey), cancellationToken)));

    public async Task<StripeCustomerSnapshot> UpdateCustomerAsync(StripeAccess access, string idempotencyKey, string customerId, TenantDetails details, CancellationToken cancellationToken) =>
        Customer(await Call(() => customers.UpdateAsync(customerId, CustomerMapping.ForUpdate(details), Request(access, idempotencyKey), cancellationToken)));

    public async Task<StripeInvoiceSnapshot> CreateInvoiceAsync(
        StripeAccess access, string idempotencyKey, string customerId, string invoiceKey, string description, string collectionMethod, bool readCustomer, CancellationToken cancellationToken)
    {
        var invoice = await Call(() => invoices.CreateAsync(
            new InvoiceCreateOptions
            {
                Customer = customerId,
                CollectionMethod = collectionMethod,
                DaysUntilDue = collectionMethod == InvoiceLifecycle.SendInvoice ? access.Settings.DaysUntilDue : null,
                AutoAdvance = false,
                // Never the account's or the customer's defaults: our amounts are US dollars, and no coupon applies.
                Currency = Currency,
                Discounts = [],
                Description = description,
                PendingInvoiceItemsBehavior = "exclude",
                Metadata = new Dictionary<string, string> { [InvoiceKeyMetadata] = invoiceKey },
                Expand = readCustomer ? WithCustomer : null,
            },
            Request(access, idempotencyKey),
            cancellationToken));
        return Snapshot(invoice);
    }

    public async Task<StripeInvoiceSnapshot> SwitchToSendInvoiceAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken) =>
        Snapshot(await Call(() => invoices.UpdateAsync(
            invoiceId,
            new InvoiceUpdateOptions { CollectionMethod = InvoiceLifecycle.SendInvoice, DaysUntilDue = access.Settings.DaysUntilDue },
            Request(access, idempotencyKey),
            cancellationToken)));

    public async Task<IReadOnlyList<StripeInvoiceSnapshot>> ListInvoicesAsync(
        StripeAccess access, string customerId, string invoiceKey, CancellationToken cancellationToken)
    {
        var request = Request(access, null);
        var listOptions = new InvoiceListOptions { Customer = customerId, Limit = 100, Expand = ["data.customer"] };
        return await Call(async () =>
        {
            var found = new List<StripeInvoiceSnapshot>();
            await foreach (var invoice in invoices.ListAutoPagingAsync(listOptions, request, cancellationToken))
            {
                if (invoice.Metadata?.GetValueOrDefault(InvoiceKeyMetadata) == invoiceKey)
                {
                    found.Add(Snapshot(invoice));
                }
            }

            return found;
        });
    }

    public async Task<string?> FindCustomerAsync(StripeAccess access, string? email, string tenantKey, CancellationToken cancellationToken)
    {
        var request = Request(access, null);
        return await Call(async () =>
        {
            await foreach (var customer in customers.ListAutoPagingAsync(new CustomerListOptions { Email = email, Limit = 100 }, request, cancellationToken))
            {
                if (customer.Metadata?.GetValueOrDefault(CustomerMapping.TenantKeyMetadata) == tenantKey)
                {
                    return customer.Id;
                }
            }

            return null;
        });
    }

    public async Task<StripeInvoiceSnapshot> GetInvoiceAsync(StripeAccess access, string invoiceId, bool readCustomer, CancellationToken cancellationToken) =>
        Snapshot(await Call(() => invoices.GetAsync(invoiceId, readCustomer ? new InvoiceGetOptions { Expand = WithCustomer } : null, Request(access, null), cancellationToken)));

    public async Task<StripeInvoiceSnapshot> AddLinesAsync(
        StripeAccess access, string idempotencyKey, string invoiceId, IReadOnlyList<StripeInvoiceLines.Line> lines, CancellationToken cancellationToken) =>
        Snapshot(await Call(() => invoices.AddLinesAsync(
            invoiceId,
            new InvoiceAddLinesOptions { Lines = lines.Select(LineOptions).ToList() },
            Request(access, idempotencyKey),
            cancellationToken)));

    /// <summary>One line: its amount, no discount, and its taxes (a fixed fee is a 0 % rate with its amount, as Stripe documents).</summary>
    public static InvoiceLineOptions LineOptions(StripeInvoiceLines.Line line) => new()
    {
        Amount = line.AmountCents,
        Description = line.Description,
        Discountable = false,
        TaxAmounts = line.TaxAmounts.Count == 0 ? null : line.TaxAmounts.Select(t => new InvoiceLineTaxAmountOptions
        {
            Amount = t.AmountCents,
            TaxableAmount = t.TaxableAmountCents,
            TaxRateData = new InvoiceLineTaxAmountTaxRateDataOptions
            {
                DisplayName = t.DisplayName,
                Percentage = t.Percentage,
                Inclusive = false,
                Jurisdiction = t.Jurisdiction,
                JurisdictionLevel = t.JurisdictionLevel,
                Country = t.Country,
                State = t.State,
                TaxType = t.TaxType,
                Description = t.Description,
            },
        }).ToList(),
    };

    public async Task<bool> DeleteDraftAsync(StripeAccess access, string invoiceId, CancellationToken cancellationToken)
    {
        try
        {
            await Call(() => invoices.DeleteAsync(invoiceId, null, Request(access, null), cancellationToken));
            return true;
        }
        catch (StripeCallException missing) when (missing.Code == "resource_missing")
        {
            return false;
        }
    }

    public async Task<StripeInvoiceSnapshot> FinalizeAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken) =>
        Snapshot(await Call(() => invoices.FinalizeInvoiceAsync(invoiceId, new InvoiceFinalizeOptions { AutoAdvance = false }, Request(access, idempotencyKey), cancellationToken)));

    public async Task<StripeInvoiceSnapshot> SendAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken) =>
        Snapshot(await Call(() => invoices.SendInvoiceAsync(invoiceId, null, Request(access, idempotencyKey), cancellationToken)));

    public async Task<SentEventsPage> FindSentEventAsync(
        StripeAccess access, string invoiceId, DateTimeOffset? since, string? startingAfter, CancellationToken cancellationToken)
    {
        var page = await Call(() => events.ListAsync(
            new EventListOptions
            {
                Type = "invoice.sent",
                Created = since is { } from ? new DateRangeOptions { GreaterThanOrEqual = from.UtcDateTime } : null,
                Limit = 100,
                StartingAfter = startingAfter,
            },
            Request(access, null),
            cancellationToken));
        var found = page.Data.Any(e => e.Data?.Object is Invoice sent && sent.Id == invoiceId);
        return new SentEventsPage(found, !found && page.HasMore && page.Data.Count > 0 ? page.Data[^1].Id : null);
    }

    public async Task<StripeInvoiceSnapshot> PayAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken) =>
        Snapshot(await Call(() => invoices.PayAsync(invoiceId, new InvoicePayOptions { OffSession = true }, Request(access, idempotencyKey), cancellationToken)));

    private async Task<T> Call<T>(Func<Task<T>> request)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        try
        {
            return await request();
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

    /// <summary>The key of the request: the account's own (decrypted for this request only), or the platform's with the Connect account.</summary>
    private RequestOptions Request(StripeAccess access, string? idempotencyKey)
    {
        var (apiKey, stripeAccount) = access.Mode switch
        {
            StripeConnectionMode.Connect => (
                options.Value.PlatformSecretKey ?? throw new StripeCallException(StripeFailureKind.Permanent, "The operator has not configured the Stripe platform key (Stripe:PlatformSecretKey)."),
                access.StripeAccountId),
            StripeConnectionMode.SecretKey => (secrets.Unprotect(access.EncryptedSecretKey!), null),
            _ => throw new StripeCallException(StripeFailureKind.Permanent, "The account's Stripe is not connected."),
        };

        return new RequestOptions { ApiKey = apiKey, IdempotencyKey = idempotencyKey, StripeAccount = stripeAccount };
    }

    private static StripeCustomerSnapshot Customer(Customer customer) => new(customer.Id, HasSavedCard(customer));

    private static StripeInvoiceSnapshot Snapshot(Invoice invoice) => new(
        invoice.Id,
        invoice.Status,
        invoice.Number,
        invoice.Total,
        invoice.AmountDue,
        invoice.AmountPaid,
        invoice.HostedInvoiceUrl,
        (int)(invoice.Lines?.Data?.Count ?? 0),
        invoice.CollectionMethod,
        invoice.Customer is null ? null : HasSavedCard(invoice.Customer),
        invoice.Subtotal,
        invoice.TotalTaxes?.Sum(t => t.Amount) ?? 0,
        invoice.Metadata?.GetValueOrDefault(InvoiceKeyMetadata),
        invoice.Currency,
        invoice.Created,
        invoice.StartingBalance,
        invoice.EndingBalance,
        invoice.AttemptCount,
        invoice.StatusTransitions?.FinalizedAt is { } finalizedAt ? new DateTimeOffset(DateTime.SpecifyKind(finalizedAt, DateTimeKind.Utc)) : null);

    /// <summary>A customer's card to charge: the payment method for invoices, or an older customer's legacy default source.</summary>
    public static bool HasSavedCard(Customer customer) =>
        customer.InvoiceSettings?.DefaultPaymentMethodId is { Length: > 0 } || customer.DefaultSourceId is { Length: > 0 };
}
