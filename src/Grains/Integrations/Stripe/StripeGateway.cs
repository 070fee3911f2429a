using System.Collections.Concurrent;
using global::Stripe;
using Microsoft.Extensions.Options;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>A Stripe invoice as the pipeline needs to know it (amounts in cents).</summary>
/// <param name="TotalTaxes">The sum of Stripe's <c>total_taxes</c>.</param>
/// <param name="CustomerHasSavedCard">The customer has a card to charge: <c>invoice_settings.default_payment_method</c> or a legacy <c>default_source</c>; null when the answer did not include the customer.</param>
/// <param name="InvoiceKey">Our invoice key from the invoice's metadata, or null.</param>
public sealed record StripeInvoiceSnapshot(
    string Id,
    string Status,
    string? Number,
    long Total,
    long AmountDue,
    long AmountPaid,
    string? HostedInvoiceUrl,
    int LineCount,
    string CollectionMethod,
    bool? CustomerHasSavedCard,
    long Subtotal = 0,
    long TotalTaxes = 0,
    string? InvoiceKey = null,
    string? Currency = null,
    DateTimeOffset Created = default,
    long? StartingBalance = null,
    long? EndingBalance = null,
    long AttemptCount = 0);

/// <summary>The Stripe account a connection reaches, as <c>GET /v1/account</c> shows it.</summary>
public sealed record StripeAccountInfo(string Id, bool ChargesEnabled);

/// <summary>What the invoice pipeline asks of Stripe. Every POST takes its idempotency key from the caller.</summary>
public interface IStripeGateway
{
    /// <summary>Retrieves the Stripe account the connection reaches: the cheap authenticated read that checks a key or a Connect id.</summary>
    Task<StripeAccountInfo> RetrieveAccountAsync(StripeAccess access, CancellationToken cancellationToken);

    /// <summary>Reads one invoice from the list, the check for a restricted key that may not read the account.</summary>
    Task CheckInvoicesReadableAsync(StripeAccess access, CancellationToken cancellationToken);

    Task<string> CreateCustomerAsync(StripeAccess access, string idempotencyKey, TenantDetails details, string tenantKey, CancellationToken cancellationToken);

    Task UpdateCustomerAsync(StripeAccess access, string idempotencyKey, string customerId, TenantDetails details, CancellationToken cancellationToken);

    /// <summary>Creates a draft invoice holding only the lines added to it later (pending items are excluded).</summary>
    Task<StripeInvoiceSnapshot> CreateInvoiceAsync(
        StripeAccess access, string idempotencyKey, string customerId, string invoiceKey, string description, bool chargeAutomatically, CancellationToken cancellationToken);

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

    Task<StripeInvoiceSnapshot> GetInvoiceAsync(StripeAccess access, string invoiceId, CancellationToken cancellationToken);

    /// <summary>Adds every line in one request, each non-discountable and carrying its taxes as Stripe tax amounts.</summary>
    Task<StripeInvoiceSnapshot> AddLinesAsync(StripeAccess access, string idempotencyKey, string invoiceId, IReadOnlyList<StripeInvoiceLines.Line> lines, CancellationToken cancellationToken);

    /// <summary>Deletes a draft invoice; true when it was deleted, false when Stripe no longer has it.</summary>
    Task<bool> DeleteDraftAsync(StripeAccess access, string invoiceId, CancellationToken cancellationToken);

    Task<StripeInvoiceSnapshot> FinalizeAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken);

    Task<StripeInvoiceSnapshot> SendAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken);

    Task<StripeInvoiceSnapshot> PayAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken);
}

/// <summary>
/// Stripe.net behind <see cref="IStripeGateway"/>. One <see cref="StripeClient"/> per API key, all on one
/// HttpClient; Stripe.net's own retries are off because the invoice grain retries with keys it can
/// reproduce. Connect accounts are reached with the platform key and <c>Stripe-Account</c>.
/// </summary>
public sealed class StripeGateway(IOptions<StripeOptions> options, SecretProtector secrets, IHttpClientFactory httpClients) : IStripeGateway
{
    public const string HttpClientName = "stripe";

    /// <summary>The metadata field carrying our invoice key on every Stripe invoice.</summary>
    public const string InvoiceKeyMetadata = "tenant_billing_invoice";

    /// <summary>Every amount we compose is in US dollars.</summary>
    public const string Currency = "usd";

    private readonly ConcurrentDictionary<string, StripeClient> _clients = new(StringComparer.Ordinal);

    public async Task<StripeAccountInfo> RetrieveAccountAsync(StripeAccess access, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, null);
        var account = await Call(() => new AccountService(client).GetSelfAsync(request, cancellationToken));
        return new StripeAccountInfo(account.Id, account.ChargesEnabled);
    }

    public async Task CheckInvoicesReadableAsync(StripeAccess access, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, null);
        await Call(() => new InvoiceService(client).ListAsync(new InvoiceListOptions { Limit = 1 }, request, cancellationToken));
    }

    public async Task<string> CreateCustomerAsync(StripeAccess access, string idempotencyKey, TenantDetails details, string tenantKey, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, idempotencyKey);
        var customer = await Call(() => new CustomerService(client).CreateAsync(CustomerMapping.ForCreate(details, tenantKey), request, cancellationToken));
        return customer.Id;
    }

    public Task UpdateCustomerAsync(StripeAccess access, string idempotencyKey, string customerId, TenantDetails details, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, idempotencyKey);
        return Call(() => new CustomerService(client).UpdateAsync(customerId, CustomerMapping.ForUpdate(details), request, cancellationToken));
    }

    public async Task<StripeInvoiceSnapshot> CreateInvoiceAsync(
        StripeAccess access, string idempotencyKey, string customerId, string invoiceKey, string description, bool chargeAutomatically, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, idempotencyKey);
        var invoice = await Call(() => new InvoiceService(client).CreateAsync(
            new InvoiceCreateOptions
            {
                Customer = customerId,
                CollectionMethod = chargeAutomatically ? "charge_automatically" : "send_invoice",
                DaysUntilDue = chargeAutomatically ? null : access.Settings.DaysUntilDue,
                AutoAdvance = false,
                // Never the account's or the customer's defaults: our amounts are US dollars, and no coupon applies.
                Currency = Currency,
                Discounts = [],
                Description = description,
                PendingInvoiceItemsBehavior = "exclude",
                Metadata = new Dictionary<string, string> { [InvoiceKeyMetadata] = invoiceKey },
                Expand = ["customer"],
            },
            request,
            cancellationToken));
        return Snapshot(invoice);
    }

    public async Task<StripeInvoiceSnapshot> SwitchToSendInvoiceAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, idempotencyKey);
        return Snapshot(await Call(() => new InvoiceService(client).UpdateAsync(
            invoiceId,
            new InvoiceUpdateOptions { CollectionMethod = "send_invoice", DaysUntilDue = access.Settings.DaysUntilDue },
            request,
            cancellationToken)));
    }

    public async Task<IReadOnlyList<StripeInvoiceSnapshot>> ListInvoicesAsync(
        StripeAccess access, string customerId, string invoiceKey, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, null);
        var options = new InvoiceListOptions
        {
            Customer = customerId,
            Limit = 100,
            Expand = ["data.customer"],
        };
        return await Call(async () =>
        {
            var found = new List<StripeInvoiceSnapshot>();
            await foreach (var invoice in new InvoiceService(client).ListAutoPagingAsync(options, request, cancellationToken))
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
        var (client, request) = Connect(access, null);
        return await Call(async () =>
        {
            await foreach (var customer in new CustomerService(client).ListAutoPagingAsync(new CustomerListOptions { Email = email, Limit = 100 }, request, cancellationToken))
            {
                if (customer.Metadata?.GetValueOrDefault(CustomerMapping.TenantKeyMetadata) == tenantKey)
                {
                    return customer.Id;
                }
            }

            return null;
        });
    }

    public async Task<StripeInvoiceSnapshot> GetInvoiceAsync(StripeAccess access, string invoiceId, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, null);
        return Snapshot(await Call(() => new InvoiceService(client).GetAsync(invoiceId, new InvoiceGetOptions { Expand = ["customer"] }, request, cancellationToken)));
    }

    public async Task<StripeInvoiceSnapshot> AddLinesAsync(
        StripeAccess access, string idempotencyKey, string invoiceId, IReadOnlyList<StripeInvoiceLines.Line> lines, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, idempotencyKey);
        return Snapshot(await Call(() => new InvoiceService(client).AddLinesAsync(
            invoiceId,
            new InvoiceAddLinesOptions { Lines = lines.Select(LineOptions).ToList() },
            request,
            cancellationToken)));
    }

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
        var (client, request) = Connect(access, null);
        try
        {
            await Call(() => new InvoiceService(client).DeleteAsync(invoiceId, null, request, cancellationToken));
            return true;
        }
        catch (StripeCallException missing) when (missing.Code == "resource_missing")
        {
            return false;
        }
    }

    public async Task<StripeInvoiceSnapshot> FinalizeAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, idempotencyKey);
        return Snapshot(await Call(() => new InvoiceService(client).FinalizeInvoiceAsync(
            invoiceId, new InvoiceFinalizeOptions { AutoAdvance = false }, request, cancellationToken)));
    }

    public async Task<StripeInvoiceSnapshot> SendAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, idempotencyKey);
        return Snapshot(await Call(() => new InvoiceService(client).SendInvoiceAsync(invoiceId, null, request, cancellationToken)));
    }

    public async Task<StripeInvoiceSnapshot> PayAsync(StripeAccess access, string idempotencyKey, string invoiceId, CancellationToken cancellationToken)
    {
        var (client, request) = Connect(access, idempotencyKey);
        return Snapshot(await Call(() => new InvoiceService(client).PayAsync(
            invoiceId, new InvoicePayOptions { OffSession = true }, request, cancellationToken)));
    }

    private static async Task<T> Call<T>(Func<Task<T>> request)
    {
        try
        {
            return await request();
        }
        catch (Exception exception) when (StripeCallException.IsStripeFailure(exception))
        {
            // Only Stripe's error type, code, message and request id go on, never its raw answer.
            throw StripeCallException.From(exception);
        }
    }

    private (StripeClient Client, RequestOptions Request) Connect(StripeAccess access, string? idempotencyKey)
    {
        var (apiKey, stripeAccount) = access.Mode switch
        {
            StripeConnectionMode.Connect => (
                options.Value.PlatformSecretKey ?? throw new StripeCallException(StripeFailureKind.Permanent, "The operator has not configured the Stripe platform key (Stripe:PlatformSecretKey)."),
                access.StripeAccountId),
            StripeConnectionMode.SecretKey => (secrets.Unprotect(access.EncryptedSecretKey!), null),
            _ => throw new StripeCallException(StripeFailureKind.Permanent, "The account's Stripe is not connected."),
        };

        var client = _clients.GetOrAdd(apiKey, key => new StripeClient(new StripeClientOptions
        {
            ApiKey = key,
            ApiBase = options.Value.ApiBase,
            HttpClient = new SystemNetHttpClient(httpClients.CreateClient(HttpClientName), maxNetworkRetries: 0),
        }));
        return (client, new RequestOptions { IdempotencyKey = idempotencyKey, StripeAccount = stripeAccount });
    }

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
        invoice.AttemptCount);

    /// <summary>A customer's card to charge: the payment method for invoices, or an older customer's legacy default source.</summary>
    public static bool HasSavedCard(Customer customer) =>
        customer.InvoiceSettings?.DefaultPaymentMethodId is { Length: > 0 } || customer.DefaultSourceId is { Length: > 0 };
}
