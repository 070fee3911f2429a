using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

/// <summary>Real Stripe.net clients pointed at a fake.</summary>
internal static class StripeClients
{
    public const string PlatformKey = "sk_test_platform_one";

    /// <summary>
    /// A client with no automatic retries by default, so each call is exactly one request;
    /// tests of Stripe.net's own retries pass <paramref name="maxNetworkRetries"/>.
    /// </summary>
    public static StripeClient For(
        StripeSandboxServer server,
        string apiKey = PlatformKey,
        string? stripeAccount = null,
        int maxNetworkRetries = 0,
        TimeSpan? timeout = null)
    {
        var http = new HttpClient { Timeout = timeout ?? TimeSpan.FromSeconds(30) };
        return new StripeClient(new StripeClientOptions
        {
            ApiKey = apiKey,
            ApiBase = server.ApiBase,
            StripeAccount = stripeAccount,
            HttpClient = new SystemNetHttpClient(http, maxNetworkRetries),
        });
    }

    public static Task<Customer> NewCustomerAsync(this StripeClient client, string name = "Acme Tenant", RequestOptions? options = null) =>
        client.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = name, Email = "billing@acme.test" }, options);

    public static Task<Invoice> NewDraftAsync(this StripeClient client, string customerId, string collectionMethod = "send_invoice", RequestOptions? options = null) =>
        client.V1.Invoices.CreateAsync(
            new InvoiceCreateOptions
            {
                Customer = customerId,
                CollectionMethod = collectionMethod,
                DaysUntilDue = collectionMethod == "send_invoice" ? 30 : null,
                AutoAdvance = false,
                PendingInvoiceItemsBehavior = "exclude",
            },
            options);

    public static Task<Invoice> AddAmountLineAsync(this StripeClient client, string invoiceId, long amount, string description = "Usage") =>
        client.V1.Invoices.AddLinesAsync(invoiceId, new InvoiceAddLinesOptions
        {
            Lines = [new InvoiceLineOptions { Amount = amount, Description = description }],
        });
}
