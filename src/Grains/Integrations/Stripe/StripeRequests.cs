using TenantBilling.Grains.Domain.Invoices;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// The parameters of every request the invoice pipeline sends to Stripe, in Stripe's form encoding. Each
/// writes the pairs Stripe.net's options classes would (in their order: parameters by name, <c>expand</c>
/// last, an empty list as an empty value), so a request retried under its idempotency key has the same body
/// whichever of the two encoded it; <c>StripeWireFormatTests</c> compares every shape with Stripe.net's.
/// </summary>
public static class StripeRequests
{
    /// <summary>
    /// A draft invoice for <paramref name="customerId"/>: never the account's or the customer's defaults (our
    /// amounts are US dollars, no coupon applies, pending items are excluded), not advanced by Stripe, and
    /// due in the account's days when it is emailed.
    /// </summary>
    public static string CreateInvoice(string customerId, string invoiceKey, string description, string collectionMethod, int daysUntilDue, bool readCustomer)
    {
        var form = new StripeForm()
            .Add("auto_advance", false)
            .Add("collection_method", collectionMethod)
            .Add("currency", StripeGateway.Currency)
            .Add("customer", customerId);
        if (collectionMethod == InvoiceLifecycle.SendInvoice)
        {
            form.Add("days_until_due", daysUntilDue);
        }

        form.Add("description", description)
            .Add("discounts", string.Empty)
            .Add("metadata[" + StripeGateway.InvoiceKeyMetadata + "]", invoiceKey)
            .Add("pending_invoice_items_behavior", "exclude");
        return (readCustomer ? form.Add("expand[0]", "customer") : form).ToString();
    }

    /// <summary>A draft switched to be emailed for payment, due in the account's days.</summary>
    public static string SwitchToSendInvoice(int daysUntilDue) =>
        new StripeForm().Add("collection_method", InvoiceLifecycle.SendInvoice).Add("days_until_due", daysUntilDue).ToString();

    /// <summary>Every line in one request: its amount, no discount, and its taxes (a fixed fee is a 0 % rate with its amount, as Stripe documents).</summary>
    public static string AddLines(IReadOnlyList<StripeInvoiceLines.Line> lines)
    {
        var form = new StripeForm();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var prefix = "lines[" + i + "]";
            form.Add(prefix + "[amount]", line.AmountCents)
                .Add(prefix + "[description]", line.Description)
                .Add(prefix + "[discountable]", false);
            if (line.TaxAmounts.Count == 0)
            {
                // No tax amounts: the list left empty, which Stripe's form encoding writes as an empty value.
                form.Add(prefix + "[tax_amounts]", string.Empty);
            }

            for (var j = 0; j < line.TaxAmounts.Count; j++)
            {
                var tax = line.TaxAmounts[j];
                var taxPrefix = prefix + "[tax_amounts][" + j + "]";
                var rate = taxPrefix + "[tax_rate_data]";
                form.Add(taxPrefix + "[amount]", tax.AmountCents)
                    .Add(rate + "[country]", tax.Country)
                    .Add(rate + "[description]", tax.Description)
                    .Add(rate + "[display_name]", tax.DisplayName)
                    .Add(rate + "[inclusive]", false)
                    .Add(rate + "[jurisdiction]", tax.Jurisdiction)
                    .Add(rate + "[jurisdiction_level]", tax.JurisdictionLevel)
                    .Add(rate + "[percentage]", tax.Percentage)
                    .AddIfSet(rate + "[state]", tax.State)
                    .Add(rate + "[tax_type]", tax.TaxType)
                    .Add(taxPrefix + "[taxable_amount]", tax.TaxableAmountCents);
            }
        }

        return form.ToString();
    }

    /// <summary>Finalized without Stripe advancing it: we send or charge it ourselves.</summary>
    public static string Finalize() => "auto_advance=false";

    /// <summary>Charged off session: the customer is not there to authenticate.</summary>
    public static string Pay() => "off_session=true";

    /// <summary>A send carries no parameters.</summary>
    public static string Send() => string.Empty;

    /// <summary>The query of one page of a customer's invoices (each with its customer, to see its saved card).</summary>
    public static string ListInvoices(string customerId, string? startingAfter) =>
        new StripeForm().Add("customer", customerId).Add("limit", 100).AddIfSet("starting_after", startingAfter).Add("expand[0]", "data.customer").ToString();

    /// <summary>The query of one page of the customers with <paramref name="email"/> (all when null).</summary>
    public static string ListCustomers(string? email, string? startingAfter) =>
        new StripeForm().AddIfSet("email", email).Add("limit", 100).AddIfSet("starting_after", startingAfter).ToString();

    /// <summary>The query of one page of <c>invoice.sent</c> events created at or after <paramref name="since"/>.</summary>
    public static string ListSentEvents(DateTimeOffset? since, string? startingAfter) =>
        new StripeForm().AddIfSet("created[gte]", since?.ToUnixTimeSeconds()).Add("type", "invoice.sent").Add("limit", 100).AddIfSet("starting_after", startingAfter).ToString();
}
