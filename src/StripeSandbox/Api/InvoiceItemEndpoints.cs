using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.Json;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>
/// <c>/v1/invoiceitems</c>. With <c>invoice</c> the item becomes a line of that draft invoice; without
/// it the item is pending and joins the customer's next invoice created with
/// <c>pending_invoice_items_behavior=include</c>.
/// </summary>
internal static class InvoiceItemEndpoints
{
    private static readonly string[] CreateParams =
    [
        "amount", "currency", "customer", "description", "invoice", "metadata", "period", "price_data", "quantity",
        "unit_amount_decimal", "expand", "customer_account", "discountable", "discounts", "pricing", "quantity_decimal",
        "subscription", "tax_behavior", "tax_code", "tax_rates",
    ];

    public static Router MapInvoiceItems(this Router router) => router
        .Map("POST", "/v1/invoiceitems", Create)
        .Map("GET", "/v1/invoiceitems", List)
        .Map("GET", "/v1/invoiceitems/{id}", Retrieve)
        .Map("DELETE", "/v1/invoiceitems/{id}", Delete);

    private static byte[] Create(ApiContext ctx)
    {
        var form = ctx.Form;
        form.EnsureOnly(CreateParams);
        var expand = Expansions.From(form, isList: false, "invoice");
        var customer = CustomerEndpoints.Find(ctx.Account, form.Required("customer"), "customer");
        InvoiceRecord? invoice = null;
        if (form.NonEmpty("invoice") is { } invoiceId)
        {
            invoice = InvoiceEndpoints.Find(ctx.Account, invoiceId, "invoice");
            if (invoice.CustomerId != customer.Id)
            {
                throw StripeApiException.InvalidRequest($"The invoice {invoice.Id} belongs to another customer.", "invoice");
            }

            InvoiceEndpoints.RequireDraft(invoice, "add items to");
        }

        var currency = invoice?.Currency
            ?? form.NonEmpty("currency")?.ToLowerInvariant()
            ?? form.Object("price_data")?.NonEmpty("currency")?.ToLowerInvariant()
            ?? ctx.Account.DefaultCurrency
            ?? ctx.Environment.Options.DefaultCurrency;
        var item = LineAmounts.Build(ctx, form, customer.Id, currency, productDataAllowed: false);
        ctx.Account.InvoiceItems.Add(item.Id, item);
        if (invoice is not null)
        {
            InvoiceEndpoints.AttachLine(ctx, invoice, item);
        }

        return StripeJson.Write(w => StripeJson.InvoiceItem(w, ctx.Account, item, expand));
    }

    private static byte[] Retrieve(ApiContext ctx)
    {
        var expand = Expansions.From(ctx.Form, isList: false, "invoice");
        var item = Find(ctx.Account, ctx.RequiredId);
        return StripeJson.Write(w => StripeJson.InvoiceItem(w, ctx.Account, item, expand));
    }

    private static byte[] List(ApiContext ctx)
    {
        var form = ctx.Form;
        form.EnsureOnly("customer", "invoice", "pending", "limit", "starting_after", "ending_before", "expand", "created", "customer_account");
        var expand = Expansions.From(form, isList: true, "invoice");
        var customer = form.NonEmpty("customer");
        var invoice = form.NonEmpty("invoice");
        var pending = form.Bool("pending");
        var all = ctx.Account.InvoiceItems.Values.Reverse()
            .Where(i => customer is null || i.CustomerId == customer)
            .Where(i => invoice is null || i.InvoiceId == invoice)
            .Where(i => pending is null || (i.InvoiceId is null) == pending)
            .OrderByDescending(i => i.Created)
            .ToList();
        var (page, hasMore) = Pagination.Slice(form, all, i => i.Id);
        return StripeJson.Write(w => StripeJson.Page(w, "/v1/invoiceitems", page, hasMore, (jw, i) => StripeJson.InvoiceItem(jw, ctx.Account, i, expand)));
    }

    private static byte[] Delete(ApiContext ctx)
    {
        var item = Find(ctx.Account, ctx.RequiredId);
        if (item.InvoiceId is { } invoiceId && ctx.Account.Invoices.TryGetValue(invoiceId, out var invoice))
        {
            InvoiceEndpoints.RequireDraft(invoice, "delete items of");
            invoice.Lines.Remove(item);
            InvoiceEndpoints.Touch(ctx, invoice);
        }

        ctx.Account.InvoiceItems.Remove(item.Id);
        return StripeJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", item.Id);
            w.WriteString("object", "invoiceitem");
            w.WriteBoolean("deleted", true);
            w.WriteEndObject();
        });
    }

    private static InvoiceItemRecord Find(AccountState account, string id) =>
        account.InvoiceItems.GetValueOrDefault(id) ?? throw StripeApiException.NoSuch("invoiceitem", id);
}
