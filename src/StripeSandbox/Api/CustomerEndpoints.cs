using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.Json;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>
/// <c>/v1/customers</c>: create, update, retrieve, list, delete. A deleted customer is gone for every
/// request that names it (404 <c>resource_missing</c>, as for an unknown id) and from lists; retrieving it
/// answers Stripe's stub (<c>deleted: true</c>); its invoices stay.
/// </summary>
internal static class CustomerEndpoints
{
    // Every parameter Stripe's customer create/update accepts; the fake models the first ones and ignores the rest.
    private static readonly string[] CreateParams =
    [
        "address", "description", "email", "invoice_prefix", "invoice_settings", "metadata", "name",
        "next_invoice_sequence", "payment_method", "phone", "preferred_locales", "tax_exempt", "expand",
        "balance", "business_name", "cash_balance", "individual_name", "plan", "shipping", "source", "tax",
        "tax_id_data", "test_clock", "validate",
    ];

    private static readonly string[] UpdateParams =
    [
        "address", "description", "email", "invoice_prefix", "invoice_settings", "metadata", "name",
        "next_invoice_sequence", "phone", "preferred_locales", "tax_exempt", "expand",
        "balance", "business_name", "cash_balance", "default_source", "individual_name", "shipping", "source",
        "tax", "validate",
    ];

    private static readonly string[] Expandable = ["invoice_settings.default_payment_method"];

    public static Router MapCustomers(this Router router) => router
        .Map("POST", "/v1/customers", Create)
        .Map("GET", "/v1/customers", List)
        .Map("POST", "/v1/customers/{id}", Update)
        .Map("GET", "/v1/customers/{id}", Retrieve)
        .Map("DELETE", "/v1/customers/{id}", Delete);

    public static CustomerRecord Find(AccountState account, string id, string param = "id") =>
        account.Customers.GetValueOrDefault(id) ?? throw StripeApiException.NoSuch("customer", id, param);

    private static byte[] Create(ApiContext ctx)
    {
        ctx.Form.EnsureOnly(CreateParams);
        var expand = Expansions.From(ctx.Form, isList: false, Expandable);
        var customer = new CustomerRecord
        {
            Id = ctx.Environment.NewVisibleId("cus"),
            Created = ctx.Now,
            InvoicePrefix = ctx.Form.NonEmpty("invoice_prefix") ?? ctx.Environment.NewInvoicePrefix(),
        };

        // Attach first: invoice_settings[default_payment_method] may name the card attached here.
        if (ctx.Form.NonEmpty("payment_method") is { } pm)
        {
            PaymentMethods.Attach(ctx, customer.Id, pm, "payment_method");
        }

        Apply(ctx, customer);

        // What an account's Dashboard may do to any customer before its invoices: a credit and a coupon.
        var options = ctx.Environment.Options;
        if (!ctx.Form.Has("balance"))
        {
            customer.Balance = options.NewCustomerBalance;
        }

        if (options.NewCustomerPercentOff is { } percentOff)
        {
            var coupon = new DiscountRecord(Ids.New("di"), "coupon_" + Ids.New("c")[2..10], percentOff, ctx.Now);
            ctx.Account.Coupons[coupon.CouponId] = coupon;
            customer.Discount = coupon;
        }

        ctx.Account.Customers.Add(customer.Id, customer);
        return StripeJson.Write(w => StripeJson.Customer(w, ctx.Account, customer, expand));
    }

    private static byte[] Update(ApiContext ctx)
    {
        ctx.Form.EnsureOnly(UpdateParams);
        var expand = Expansions.From(ctx.Form, isList: false, Expandable);
        var customer = Find(ctx.Account, ctx.RequiredId);
        Apply(ctx, customer);
        return StripeJson.Write(w => StripeJson.Customer(w, ctx.Account, customer, expand));
    }

    private static byte[] Retrieve(ApiContext ctx)
    {
        var expand = Expansions.From(ctx.Form, isList: false, Expandable);
        if (ctx.Account.DeletedCustomerIds.Contains(ctx.RequiredId))
        {
            return DeletedStub(ctx.RequiredId);
        }

        var customer = Find(ctx.Account, ctx.RequiredId);
        return StripeJson.Write(w => StripeJson.Customer(w, ctx.Account, customer, expand));
    }

    private static byte[] Delete(ApiContext ctx)
    {
        var customer = Find(ctx.Account, ctx.RequiredId);
        ctx.Account.Customers.Remove(customer.Id);
        ctx.Account.DeletedCustomerIds.Add(customer.Id);
        return DeletedStub(customer.Id);
    }

    private static byte[] DeletedStub(string id) => StripeJson.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("object", "customer");
        w.WriteBoolean("deleted", true);
        w.WriteEndObject();
    });

    private static byte[] List(ApiContext ctx)
    {
        ctx.Form.EnsureOnly("email", "limit", "starting_after", "ending_before", "expand", "created", "test_clock");
        var expand = Expansions.From(ctx.Form, isList: true, Expandable);
        var email = ctx.Form.NonEmpty("email");
        var all = ctx.Account.Customers.Values.Reverse()
            .Where(c => email is null || string.Equals(c.Email, email, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(c => c.Created)
            .ToList();
        var (page, hasMore) = Pagination.Slice(ctx.Form, all, c => c.Id);
        return StripeJson.Write(w => StripeJson.Page(w, "/v1/customers", page, hasMore, (jw, c) => StripeJson.Customer(jw, ctx.Account, c, expand)));
    }

    private static void Apply(ApiContext ctx, CustomerRecord customer)
    {
        var form = ctx.Form;
        customer.Name = Update(form, "name", customer.Name);
        customer.Email = Update(form, "email", customer.Email);
        customer.Phone = Update(form, "phone", customer.Phone);
        customer.Description = Update(form, "description", customer.Description);
        customer.InvoicePrefix = form.NonEmpty("invoice_prefix") ?? customer.InvoicePrefix;
        customer.TaxExempt = form.NonEmpty("tax_exempt") ?? customer.TaxExempt;
        customer.Balance = form.Long("balance") ?? customer.Balance;
        if (form.Long("next_invoice_sequence") is { } seq)
        {
            customer.NextInvoiceSequence = seq;
        }

        if (form.Has("preferred_locales"))
        {
            customer.PreferredLocales = [.. form.StringList("preferred_locales")];
        }

        if (form.Has("address"))
        {
            customer.Address = form.Object("address") is { } a
                ? new AddressData(a.NonEmpty("line1"), a.NonEmpty("line2"), a.NonEmpty("city"), a.NonEmpty("state"), a.NonEmpty("postal_code"), a.NonEmpty("country"))
                : null;
        }

        MetadataUpdate.Apply(form, "metadata", customer.Metadata);

        if (form.Object("invoice_settings") is { } settings)
        {
            settings.EnsureOnly("custom_fields", "default_payment_method", "footer", "rendering_options");
            if (settings.Has("default_payment_method"))
            {
                customer.DefaultPaymentMethodId = settings.NonEmpty("default_payment_method") is { } pm
                    ? PaymentMethods.Attached(ctx, customer.Id, pm, "invoice_settings[default_payment_method]").Id
                    : null;
            }
        }
    }

    /// <summary>Stripe's update rule for a string: absent keeps it, empty unsets it.</summary>
    private static string? Update(FormParams form, string name, string? current) =>
        form.String(name) is { } value ? (value.Length == 0 ? null : value) : current;
}
