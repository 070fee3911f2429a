using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Json;

/// <summary>
/// Stripe's JSON shapes for the objects the fake keeps, written with <see cref="Utf8JsonWriter"/>.
/// Field names follow the API version Stripe.net 53 pins (invoice lines with <c>parent</c> and
/// <c>pricing</c>); fields the fake does not model are written with Stripe's empty values.
/// </summary>
internal static class StripeJson
{
    // Stripe does not escape quotes or non-ASCII text; keeping them readable eases test failure messages.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            body(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static byte[] Error(StripeApiException e) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("type", e.Type);
        WriteOptional(w, "code", e.Code);
        WriteOptional(w, "decline_code", e.DeclineCode);
        WriteOptional(w, "charge", e.Charge);
        w.WriteString("message", e.Message);
        WriteOptional(w, "param", e.Param);
        if (e.Code is not null)
        {
            w.WriteString("doc_url", "https://docs.stripe.com/error-codes/" + e.Code.Replace('_', '-'));
        }

        w.WriteEndObject();
        w.WriteEndObject();
    });

    public static void Customer(Utf8JsonWriter w, AccountState account, CustomerRecord c, Expansions expand)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("object", "customer");
        Address(w, "address", c.Address);
        w.WriteNumber("balance", c.Balance);
        w.WriteNumber("created", c.Created.ToUnixTimeSeconds());
        w.WriteNull("currency");
        WriteOptional(w, "default_source", c.DefaultSourceId);
        w.WriteBoolean("delinquent", false);
        WriteOptional(w, "description", c.Description);
        if (c.Discount is { } discount)
        {
            w.WritePropertyName("discount");
            Discount(w, discount, c.Id);
        }
        else
        {
            w.WriteNull("discount");
        }

        WriteOptional(w, "email", c.Email);
        w.WriteString("invoice_prefix", c.InvoicePrefix);
        w.WriteStartObject("invoice_settings");
        w.WriteNull("custom_fields");
        if (c.DefaultPaymentMethodId is { } pm && expand.Has("invoice_settings.default_payment_method")
            && account.PaymentMethods.TryGetValue(pm, out var method))
        {
            w.WritePropertyName("default_payment_method");
            PaymentMethod(w, method);
        }
        else
        {
            WriteOptional(w, "default_payment_method", c.DefaultPaymentMethodId);
        }

        w.WriteNull("footer");
        w.WriteNull("rendering_options");
        w.WriteEndObject();
        w.WriteBoolean("livemode", false);
        Metadata(w, c.Metadata);
        WriteOptional(w, "name", c.Name);
        w.WriteNumber("next_invoice_sequence", c.NextInvoiceSequence);
        WriteOptional(w, "phone", c.Phone);
        w.WriteStartArray("preferred_locales");
        foreach (var locale in c.PreferredLocales)
        {
            w.WriteStringValue(locale);
        }

        w.WriteEndArray();
        w.WriteNull("shipping");
        w.WriteString("tax_exempt", c.TaxExempt);
        w.WriteNull("test_clock");
        w.WriteEndObject();
    }

    public static void PaymentMethod(Utf8JsonWriter w, PaymentMethodRecord pm)
    {
        var card = FakeCards.Describe(pm.Card);
        w.WriteStartObject();
        w.WriteString("id", pm.Id);
        w.WriteString("object", "payment_method");
        w.WriteString("allow_redisplay", "unspecified");
        w.WriteStartObject("billing_details");
        w.WriteNull("address");
        w.WriteNull("email");
        w.WriteNull("name");
        w.WriteNull("phone");
        w.WriteEndObject();
        w.WriteStartObject("card");
        w.WriteString("brand", card.Brand);
        w.WriteString("country", "US");
        w.WriteNumber("exp_month", 12);
        w.WriteNumber("exp_year", pm.Created.Year + 3);
        w.WriteString("funding", "credit");
        w.WriteString("last4", card.Last4);
        w.WriteEndObject();
        w.WriteNumber("created", pm.Created.ToUnixTimeSeconds());
        WriteOptional(w, "customer", pm.CustomerId);
        w.WriteBoolean("livemode", false);
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteString("type", "card");
        w.WriteEndObject();
    }

    /// <summary>An invoice with its first <see cref="EmbeddedLines"/> lines, as Stripe embeds them.</summary>
    public static void Invoice(Utf8JsonWriter w, AccountState account, InvoiceRecord inv, Expansions expand)
    {
        var customer = account.Customers.GetValueOrDefault(inv.CustomerId);
        var shown = inv.CustomerAtFinalization ?? customer;
        w.WriteStartObject();
        w.WriteString("id", inv.Id);
        w.WriteString("object", "invoice");
        w.WriteString("account_country", "US");
        w.WriteString("account_name", account.Id);
        w.WriteNull("account_tax_ids");
        w.WriteNumber("amount_due", inv.AmountDue);
        w.WriteNumber("amount_overpaid", 0);
        w.WriteNumber("amount_paid", inv.AmountPaid);
        w.WriteNumber("amount_paid_off_stripe", inv.AmountPaidOutOfBand);
        w.WriteNumber("amount_remaining", inv.AmountRemaining);
        w.WriteNumber("amount_shipping", 0);
        w.WriteNull("application");
        w.WriteNumber("attempt_count", inv.AttemptCount);
        w.WriteBoolean("attempted", inv.Attempted);
        w.WriteBoolean("auto_advance", inv.AutoAdvance);
        w.WriteStartObject("automatic_tax");
        w.WriteNull("disabled_reason");
        w.WriteBoolean("enabled", inv.AutomaticTax);
        w.WriteNull("liability");
        w.WriteNull("provider");
        w.WriteNull("status");
        w.WriteEndObject();
        w.WriteNull("automatically_finalizes_at");
        w.WriteString("billing_reason", "manual");
        w.WriteString("collection_method", inv.CollectionMethod);
        w.WriteNumber("created", inv.Created.ToUnixTimeSeconds());
        w.WriteString("currency", inv.Currency);
        w.WriteNull("custom_fields");
        if (expand.Has("customer") && customer is not null)
        {
            w.WritePropertyName("customer");
            Customer(w, account, customer, Expansions.None);
        }
        else
        {
            w.WriteString("customer", inv.CustomerId);
        }

        Address(w, "customer_address", shown?.Address);
        WriteOptional(w, "customer_email", shown?.Email);
        WriteOptional(w, "customer_name", shown?.Name);
        WriteOptional(w, "customer_phone", shown?.Phone);
        w.WriteNull("customer_shipping");
        w.WriteString("customer_tax_exempt", shown?.TaxExempt ?? "none");
        w.WriteStartArray("customer_tax_ids");
        w.WriteEndArray();
        if (inv.DefaultPaymentMethodId is { } pm && expand.Has("default_payment_method")
            && account.PaymentMethods.TryGetValue(pm, out var method))
        {
            w.WritePropertyName("default_payment_method");
            PaymentMethod(w, method);
        }
        else
        {
            WriteOptional(w, "default_payment_method", inv.DefaultPaymentMethodId);
        }

        w.WriteNull("default_source");
        w.WriteStartArray("default_tax_rates");
        foreach (var id in inv.DefaultTaxRateIds)
        {
            TaxRate(w, account.TaxRates[id]);
        }

        w.WriteEndArray();
        WriteOptional(w, "description", inv.Description);
        w.WriteStartArray("discounts");
        if (inv.Discount is { } invoiceDiscount)
        {
            w.WriteStringValue(invoiceDiscount.Id);
        }

        w.WriteEndArray();
        WriteTime(w, "due_date", inv.DueDate);
        WriteTime(w, "effective_at", inv.FinalizedAt);
        if (inv.EndingBalance is { } ending)
        {
            w.WriteNumber("ending_balance", ending);
        }
        else
        {
            w.WriteNull("ending_balance");
        }

        WriteOptional(w, "footer", inv.Footer);
        if (inv.FromInvoiceId is { } fromInvoice)
        {
            w.WriteStartObject("from_invoice");
            w.WriteString("action", "revision");
            w.WriteString("invoice", fromInvoice);
            w.WriteEndObject();
        }
        else
        {
            w.WriteNull("from_invoice");
        }

        WriteOptional(w, "hosted_invoice_url", inv.HostedInvoiceUrl);
        WriteOptional(w, "invoice_pdf", inv.HostedInvoiceUrl is null ? null : inv.HostedInvoiceUrl + "/pdf");
        w.WriteStartObject("issuer");
        w.WriteString("type", "self");
        w.WriteEndObject();
        w.WriteNull("last_finalization_error");
        WriteOptional(w, "latest_revision", inv.LatestRevisionId);
        w.WritePropertyName("lines");
        LineList(w, inv, inv.Lines.Take(EmbeddedLines).ToList(), inv.Lines.Count > EmbeddedLines);
        w.WriteBoolean("livemode", false);
        Metadata(w, inv.Metadata);
        w.WriteNull("next_payment_attempt");
        WriteOptional(w, "number", inv.Number);
        w.WriteNull("on_behalf_of");
        w.WriteNull("parent");
        w.WriteStartObject("payment_settings");
        w.WriteNull("default_mandate");
        w.WriteNull("payment_method_options");
        w.WriteNull("payment_method_types");
        w.WriteEndObject();
        w.WriteNumber("period_end", inv.Created.ToUnixTimeSeconds());
        w.WriteNumber("period_start", inv.Created.ToUnixTimeSeconds());
        w.WriteNumber("post_payment_credit_notes_amount", inv.PostPaymentCreditNotes);
        w.WriteNumber("pre_payment_credit_notes_amount", inv.PrePaymentCreditNotes);
        w.WriteNull("receipt_number");
        w.WriteNull("rendering");
        w.WriteNull("shipping_cost");
        w.WriteNull("shipping_details");
        w.WriteNumber("starting_balance", inv.StartingBalance ?? customer?.Balance ?? 0);
        WriteOptional(w, "statement_descriptor", inv.StatementDescriptor);
        w.WriteString("status", inv.Status);
        w.WriteStartObject("status_transitions");
        WriteTime(w, "finalized_at", inv.FinalizedAt);
        WriteTime(w, "marked_uncollectible_at", inv.MarkedUncollectibleAt);
        WriteTime(w, "paid_at", inv.PaidAt);
        WriteTime(w, "voided_at", inv.VoidedAt);
        w.WriteEndObject();
        w.WriteNumber("subtotal", inv.Subtotal);
        w.WriteNumber("subtotal_excluding_tax", inv.Subtotal - inv.Lines.Sum(l => l.Taxes.Where(t => t.Inclusive).Sum(t => t.Amount)));
        w.WriteNull("test_clock");
        w.WriteNumber("total", inv.Total);
        w.WriteStartArray("total_discount_amounts");
        if (inv.Discount is { } totalDiscount)
        {
            w.WriteStartObject();
            w.WriteNumber("amount", inv.TotalDiscount);
            w.WriteString("discount", totalDiscount.Id);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNumber("total_excluding_tax", inv.Total - inv.AllTax);
        w.WriteStartArray("total_pretax_credit_amounts");
        w.WriteEndArray();
        w.WriteStartArray("total_taxes");
        foreach (var tax in inv.Lines.SelectMany(l => l.Taxes).GroupBy(t => t.TaxRateId))
        {
            Tax(w, new LineTax(tax.Sum(t => t.Amount), tax.Sum(t => t.TaxableAmount), tax.Key, tax.First().Inclusive, tax.First().TaxabilityReason));
        }

        w.WriteEndArray();
        w.WriteNull("webhooks_delivered_at");
        w.WriteEndObject();
    }

    /// <summary>How many lines an invoice object embeds before <c>has_more</c>.</summary>
    public const int EmbeddedLines = 10;

    public static void LineList(Utf8JsonWriter w, InvoiceRecord inv, IReadOnlyList<InvoiceItemRecord> page, bool hasMore)
    {
        w.WriteStartObject();
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var line in page)
        {
            Line(w, inv, line);
        }

        w.WriteEndArray();
        w.WriteBoolean("has_more", hasMore);
        w.WriteNumber("total_count", inv.Lines.Count);
        w.WriteString("url", $"/v1/invoices/{inv.Id}/lines");
        w.WriteEndObject();
    }

    public static void Line(Utf8JsonWriter w, InvoiceRecord inv, InvoiceItemRecord item)
    {
        w.WriteStartObject();
        w.WriteString("id", item.LineId);
        w.WriteString("object", "line_item");
        w.WriteNumber("amount", item.Amount);
        w.WriteString("currency", item.Currency);
        WriteOptional(w, "description", item.Description);
        w.WriteStartArray("discount_amounts");
        if (inv.Discount is { } discount && item.DiscountAmount != 0)
        {
            w.WriteStartObject();
            w.WriteNumber("amount", item.DiscountAmount);
            w.WriteString("discount", discount.Id);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteBoolean("discountable", item.Discountable);
        w.WriteStartArray("discounts");
        w.WriteEndArray();
        w.WriteString("invoice", inv.Id);
        w.WriteBoolean("livemode", false);
        Metadata(w, item.Metadata);
        w.WriteStartObject("parent");
        w.WriteStartObject("invoice_item_details");
        w.WriteString("invoice_item", item.Id);
        w.WriteBoolean("proration", false);
        w.WriteNull("proration_details");
        w.WriteNull("subscription");
        w.WriteEndObject();
        w.WriteNull("subscription_item_details");
        w.WriteString("type", "invoice_item_details");
        w.WriteEndObject();
        Period(w, item);
        w.WriteStartArray("pretax_credit_amounts");
        w.WriteEndArray();
        Pricing(w, item);
        w.WriteNumber("quantity", item.Quantity);
        w.WriteString("quantity_decimal", item.Quantity.ToString(CultureInfo.InvariantCulture));
        w.WriteNumber("subtotal", item.Amount);
        w.WriteStartArray("taxes");
        foreach (var tax in item.Taxes)
        {
            Tax(w, tax);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    public static void TaxRate(Utf8JsonWriter w, TaxRateRecord rate)
    {
        w.WriteStartObject();
        w.WriteString("id", rate.Id);
        w.WriteString("object", "tax_rate");
        w.WriteBoolean("active", rate.Active);
        WriteOptional(w, "country", rate.Country);
        w.WriteNumber("created", rate.Created.ToUnixTimeSeconds());
        WriteOptional(w, "description", rate.Description);
        w.WriteString("display_name", rate.DisplayName);
        w.WriteNumber("effective_percentage", rate.Percentage);
        w.WriteNull("flat_amount");
        w.WriteBoolean("inclusive", rate.Inclusive);
        WriteOptional(w, "jurisdiction", rate.Jurisdiction);
        WriteOptional(w, "jurisdiction_level", rate.JurisdictionLevel);
        w.WriteBoolean("livemode", false);
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteNumber("percentage", rate.Percentage);
        w.WriteString("rate_type", "percentage");
        WriteOptional(w, "state", rate.State);
        WriteOptional(w, "tax_type", rate.TaxType);
        w.WriteEndObject();
    }

    public static void Tax(Utf8JsonWriter w, LineTax tax)
    {
        w.WriteStartObject();
        w.WriteNumber("amount", tax.Amount);
        w.WriteString("tax_behavior", tax.Inclusive ? "inclusive" : "exclusive");
        w.WriteStartObject("tax_rate_details");
        w.WriteString("tax_rate", tax.TaxRateId);
        w.WriteEndObject();
        WriteOptional(w, "taxability_reason", tax.TaxabilityReason);
        w.WriteNumber("taxable_amount", tax.TaxableAmount);
        w.WriteString("type", "tax_rate_details");
        w.WriteEndObject();
    }

    private static void Discount(Utf8JsonWriter w, DiscountRecord discount, string customerId)
    {
        w.WriteStartObject();
        w.WriteString("id", discount.Id);
        w.WriteString("object", "discount");
        w.WriteString("customer", customerId);
        w.WriteNull("end");
        w.WriteStartObject("source");
        w.WriteStartObject("coupon");
        w.WriteString("id", discount.CouponId);
        w.WriteString("object", "coupon");
        w.WriteNull("amount_off");
        w.WriteNumber("created", discount.Start.ToUnixTimeSeconds());
        w.WriteString("duration", "forever");
        w.WriteBoolean("livemode", false);
        w.WriteNull("name");
        w.WriteNumber("percent_off", discount.PercentOff);
        w.WriteBoolean("valid", true);
        w.WriteEndObject();
        w.WriteString("type", "coupon");
        w.WriteEndObject();
        w.WriteNumber("start", discount.Start.ToUnixTimeSeconds());
        w.WriteEndObject();
    }

    public static void InvoiceItem(Utf8JsonWriter w, AccountState account, InvoiceItemRecord item, Expansions expand)
    {
        w.WriteStartObject();
        w.WriteString("id", item.Id);
        w.WriteString("object", "invoiceitem");
        w.WriteNumber("amount", item.Amount);
        w.WriteString("currency", item.Currency);
        w.WriteString("customer", item.CustomerId);
        w.WriteNumber("date", item.Created.ToUnixTimeSeconds());
        WriteOptional(w, "description", item.Description);
        w.WriteBoolean("discountable", true);
        w.WriteStartArray("discounts");
        w.WriteEndArray();
        if (item.InvoiceId is { } invoiceId && expand.Has("invoice") && account.Invoices.TryGetValue(invoiceId, out var inv))
        {
            w.WritePropertyName("invoice");
            Invoice(w, account, inv, Expansions.None);
        }
        else
        {
            WriteOptional(w, "invoice", item.InvoiceId);
        }

        w.WriteBoolean("livemode", false);
        Metadata(w, item.Metadata);
        w.WriteNumber("net_amount", item.Amount);
        w.WriteNull("parent");
        Period(w, item);
        Pricing(w, item);
        w.WriteBoolean("proration", false);
        w.WriteNumber("quantity", item.Quantity);
        w.WriteString("quantity_decimal", item.Quantity.ToString(CultureInfo.InvariantCulture));
        w.WriteNull("tax_rates");
        w.WriteNull("test_clock");
        w.WriteEndObject();
    }

    /// <summary>A list or search page; <paramref name="nextPage"/> makes it a <c>search_result</c>.</summary>
    public static void Page<T>(Utf8JsonWriter w, string url, IReadOnlyList<T> items, bool hasMore, Action<Utf8JsonWriter, T> item, bool search = false, string? nextPage = null)
    {
        w.WriteStartObject();
        w.WriteString("object", search ? "search_result" : "list");
        w.WriteStartArray("data");
        foreach (var x in items)
        {
            item(w, x);
        }

        w.WriteEndArray();
        w.WriteBoolean("has_more", hasMore);
        if (search)
        {
            WriteOptional(w, "next_page", nextPage);
        }

        w.WriteString("url", url);
        w.WriteEndObject();
    }

    private static void Pricing(Utf8JsonWriter w, InvoiceItemRecord item)
    {
        w.WriteStartObject("pricing");
        w.WriteStartObject("price_details");
        WriteOptional(w, "price", item.PriceId);
        WriteOptional(w, "product", item.ProductId);
        w.WriteEndObject();
        w.WriteString("type", "price_details");
        w.WriteString("unit_amount_decimal", item.UnitAmountDecimal.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }

    private static void Period(Utf8JsonWriter w, InvoiceItemRecord item)
    {
        w.WriteStartObject("period");
        w.WriteNumber("end", item.PeriodEnd.ToUnixTimeSeconds());
        w.WriteNumber("start", item.PeriodStart.ToUnixTimeSeconds());
        w.WriteEndObject();
    }

    public static void Metadata(Utf8JsonWriter w, Dictionary<string, string> metadata)
    {
        w.WriteStartObject("metadata");
        foreach (var (key, value) in metadata)
        {
            w.WriteString(key, value);
        }

        w.WriteEndObject();
    }

    private static void Address(Utf8JsonWriter w, string name, AddressData? a)
    {
        if (a is null)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartObject(name);
        WriteOptional(w, "city", a.City);
        WriteOptional(w, "country", a.Country);
        WriteOptional(w, "line1", a.Line1);
        WriteOptional(w, "line2", a.Line2);
        WriteOptional(w, "postal_code", a.PostalCode);
        WriteOptional(w, "state", a.State);
        w.WriteEndObject();
    }

    private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v.ToUnixTimeSeconds());
        }
        else
        {
            w.WriteNull(name);
        }
    }

    public static void WriteOptional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }
}
