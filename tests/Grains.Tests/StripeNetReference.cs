using Stripe;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// What the Stripe gateway gave Stripe.net before it encoded requests and read answers itself: Stripe.net's
/// options for each request we send, and the snapshots taken from Stripe.net's objects. The wire-format
/// tests hold our encoding and reading to these.
/// </summary>
internal static class StripeNetReference
{
    public static CustomerCreateOptions CreateCustomer(TenantDetails details, string tenantKey) => new()
    {
        Description = details.Name,
        Phone = details.Phone,
        Email = details.BillingEmail,
        Name = details.ContactName,
        Address = Address(details.Address),
        Metadata = new Dictionary<string, string> { [CustomerMapping.TenantKeyMetadata] = tenantKey },
    };

    public static CustomerUpdateOptions UpdateCustomer(TenantDetails details) => new()
    {
        Description = details.Name,
        Phone = details.Phone,
        Email = details.BillingEmail,
        Name = details.ContactName,
        Address = Address(details.Address),
    };

    public static InvoiceCreateOptions CreateInvoice(string customerId, string invoiceKey, string description, string collectionMethod, int daysUntilDue, bool readCustomer) => new()
    {
        Customer = customerId,
        CollectionMethod = collectionMethod,
        DaysUntilDue = collectionMethod == InvoiceLifecycle.SendInvoice ? daysUntilDue : null,
        AutoAdvance = false,
        Currency = StripeGateway.Currency,
        Discounts = [],
        Description = description,
        PendingInvoiceItemsBehavior = "exclude",
        Metadata = new Dictionary<string, string> { [StripeGateway.InvoiceKeyMetadata] = invoiceKey },
        Expand = readCustomer ? ["customer"] : null,
    };

    public static InvoiceUpdateOptions SwitchToSendInvoice(int daysUntilDue) =>
        new() { CollectionMethod = InvoiceLifecycle.SendInvoice, DaysUntilDue = daysUntilDue };

    public static InvoiceAddLinesOptions AddLines(IReadOnlyList<StripeInvoiceLines.Line> lines) => new()
    {
        Lines = lines.Select(line => new InvoiceLineOptions
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
        }).ToList(),
    };

    public static InvoiceFinalizeOptions Finalize() => new() { AutoAdvance = false };

    public static InvoicePayOptions Pay() => new() { OffSession = true };

    public static InvoiceListOptions ListInvoices(string customerId, string? startingAfter) =>
        new() { Customer = customerId, Limit = 100, Expand = ["data.customer"], StartingAfter = startingAfter };

    public static CustomerListOptions ListCustomers(string? email, string? startingAfter) =>
        new() { Email = email, Limit = 100, StartingAfter = startingAfter };

    public static EventListOptions ListSentEvents(DateTimeOffset? since, string? startingAfter) => new()
    {
        Type = "invoice.sent",
        Created = since is { } from ? new DateRangeOptions { GreaterThanOrEqual = from.UtcDateTime } : null,
        Limit = 100,
        StartingAfter = startingAfter,
    };

    public static StripeInvoiceSnapshot Snapshot(Invoice invoice) => new(
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
        invoice.Metadata?.GetValueOrDefault(StripeGateway.InvoiceKeyMetadata),
        invoice.Currency,
        invoice.Created,
        invoice.StartingBalance,
        invoice.EndingBalance,
        invoice.AttemptCount,
        invoice.StatusTransitions?.FinalizedAt is { } finalizedAt ? new DateTimeOffset(DateTime.SpecifyKind(finalizedAt, DateTimeKind.Utc)) : null);

    public static StripeCustomerSnapshot Snapshot(Customer customer) => new(customer.Id, HasSavedCard(customer));

    private static bool HasSavedCard(Customer customer) =>
        customer.InvoiceSettings?.DefaultPaymentMethodId is { Length: > 0 } || customer.DefaultSourceId is { Length: > 0 };

    private static AddressOptions Address(PostalAddress address) => new()
    {
        Line1 = address.Line1,
        Line2 = address.Line2 ?? string.Empty,
        City = address.City,
        State = address.State,
        PostalCode = address.PostalCode,
        Country = address.Country,
    };
}
