using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.Json;
using TenantBilling.StripeSandbox.State;
using TenantBilling.StripeSandbox.Webhooks;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>
/// <c>/v1/invoices</c>: the draft → open → paid / void / uncollectible life cycle of one-off invoices.
/// Totals as Stripe figures them: subtotal − discounts (the customer's coupon unless created with
/// <c>discounts=</c>, on discountable lines) + exclusive taxes; at finalization the customer's balance is
/// applied, an amount due under the $0.50 minimum charge of a <c>charge_automatically</c> invoice is moved to
/// the customer's balance and the invoice marked paid, and an amount over $999,999.99 is refused.
/// </summary>
internal static class InvoiceEndpoints
{
    private static readonly string[] CreateParams =
    [
        "auto_advance", "collection_method", "currency", "customer", "days_until_due", "default_payment_method",
        "description", "due_date", "footer", "metadata", "pending_invoice_items_behavior", "statement_descriptor",
        "expand", "account_tax_ids", "application_fee_amount", "automatic_tax", "automatically_finalizes_at",
        "custom_fields", "customer_account", "default_source", "default_tax_rates", "discounts", "effective_at",
        "from_invoice", "issuer", "number", "on_behalf_of", "payment_settings", "rendering", "shipping_cost",
        "shipping_details", "subscription", "transfer_data",
    ];

    private static readonly string[] UpdateParams =
    [
        "auto_advance", "collection_method", "days_until_due", "default_payment_method", "description", "due_date",
        "footer", "metadata", "statement_descriptor", "expand", "account_tax_ids", "application_fee_amount",
        "automatic_tax", "automatically_finalizes_at", "custom_fields", "default_source", "default_tax_rates",
        "discounts", "effective_at", "issuer", "number", "on_behalf_of", "payment_settings", "rendering",
        "shipping_cost", "shipping_details", "transfer_data",
    ];

    private static readonly string[] Expandable = ["customer", "default_payment_method"];

    public static Router MapInvoices(this Router router) => router
        .Map("GET", "/v1/invoices/search", InvoiceSearch.Search)
        .Map("POST", "/v1/invoices", Create)
        .Map("GET", "/v1/invoices", List)
        .Map("GET", "/v1/invoices/{id}", Retrieve)
        .Map("POST", "/v1/invoices/{id}", Update)
        .Map("DELETE", "/v1/invoices/{id}", Delete)
        .Map("GET", "/v1/invoices/{id}/lines", Lines)
        .Map("POST", "/v1/invoices/{id}/add_lines", AddLines)
        .Map("POST", "/v1/invoices/{id}/finalize", Finalize)
        .Map("POST", "/v1/invoices/{id}/send", Send)
        .Map("POST", "/v1/invoices/{id}/pay", Pay)
        .Map("POST", "/v1/invoices/{id}/void", Void)
        .Map("POST", "/v1/invoices/{id}/mark_uncollectible", MarkUncollectible);

    public static InvoiceRecord Find(AccountState account, string id, string param = "id") =>
        account.Invoices.GetValueOrDefault(id) ?? throw StripeApiException.NoSuch("invoice", id, param);

    public static void RequireDraft(InvoiceRecord invoice, string action)
    {
        if (invoice.Status != InvoiceStatus.Draft)
        {
            throw StripeApiException.State($"You can only {action} a draft invoice; invoice {invoice.Id} is {invoice.Status}.");
        }
    }

    /// <summary>Stripe's minimum charge in USD cents: an automatically collected invoice due less than this is marked paid at finalization.</summary>
    public const long MinimumCharge = 50;

    public static void AttachLine(ApiContext ctx, InvoiceRecord invoice, InvoiceItemRecord item)
    {
        item.InvoiceId = invoice.Id;
        LineTaxes.Compute(ctx.Account, invoice, item);
        invoice.Lines.Add(item);
        Touch(ctx, invoice);
    }

    /// <summary>Marks a change for the search index, which sees it only after the configured delay.</summary>
    public static void Touch(ApiContext ctx, InvoiceRecord invoice) =>
        invoice.SearchableAt = ctx.Now + ctx.Environment.Options.SearchIndexDelay;

    public static byte[] Json(ApiContext ctx, InvoiceRecord invoice, Expansions expand) =>
        StripeJson.Write(w => StripeJson.Invoice(w, ctx.Account, invoice, expand));

    private static byte[] Create(ApiContext ctx)
    {
        var form = ctx.Form;
        form.EnsureOnly(CreateParams);
        var expand = Expansions.From(form, isList: false, Expandable);
        if (InvoiceRevisions.Original(ctx, form) is { } original)
        {
            return CreateRevision(ctx, form, original, expand);
        }

        var customer = CustomerEndpoints.Find(ctx.Account, form.Required("customer"), "customer");
        var pendingBehavior = form.NonEmpty("pending_invoice_items_behavior") ?? "exclude";
        if (pendingBehavior is not ("exclude" or "include"))
        {
            throw StripeApiException.InvalidRequest($"Invalid pending_invoice_items_behavior: must be one of exclude, include", "pending_invoice_items_behavior");
        }

        var invoice = new InvoiceRecord
        {
            Id = ctx.Environment.NewVisibleId("in"),
            Sequence = ++ctx.Account.InvoiceSequence,
            Created = ctx.Now,
            CustomerId = customer.Id,
            Currency = form.NonEmpty("currency")?.ToLowerInvariant() ?? ctx.Account.DefaultCurrency ?? ctx.Environment.Options.DefaultCurrency,
            Discount = Discounts(ctx, form, customer),
            DefaultTaxRateIds = DefaultTaxRates(ctx, form),
            AutomaticTax = form.Object("automatic_tax")?.Bool("enabled") == true,
        };
        ApplySettings(ctx, invoice, creating: true);
        ctx.Account.Invoices.Add(invoice.Id, invoice);
        if (pendingBehavior == "include")
        {
            foreach (var item in ctx.Account.InvoiceItems.Values.Where(i => i.CustomerId == customer.Id && i.InvoiceId is null && i.Currency == invoice.Currency).ToList())
            {
                AttachLine(ctx, invoice, item);
            }
        }

        Touch(ctx, invoice);
        Raise(ctx, invoice, "invoice.created");
        return Json(ctx, invoice, expand);
    }

    /// <summary>A revision draft: the original's settings and lines, then whatever else the request sets.</summary>
    private static byte[] CreateRevision(ApiContext ctx, FormParams form, InvoiceRecord original, Expansions expand)
    {
        if (form.NonEmpty("customer") is { } customer && customer != original.CustomerId)
        {
            throw StripeApiException.InvalidRequest("A revision is for the customer of the invoice it revises.", "customer");
        }

        if (form.Has("pending_invoice_items_behavior") && form.NonEmpty("pending_invoice_items_behavior") != "exclude")
        {
            throw StripeApiException.InvalidRequest("A revision does not take pending invoice items.", "pending_invoice_items_behavior");
        }

        var revision = InvoiceRevisions.Draft(ctx, original);
        if (form.Has("discounts"))
        {
            revision.Discount = Discounts(ctx, form, CustomerEndpoints.Find(ctx.Account, original.CustomerId, "customer"));
        }

        ApplySettings(ctx, revision, creating: true);
        ctx.Account.Invoices.Add(revision.Id, revision);
        Touch(ctx, revision);
        Raise(ctx, revision, "invoice.created");
        return Json(ctx, revision, expand);
    }

    /// <summary>Absent: the customer's discount is inherited. <c>discounts=</c>: none. Else the coupon named.</summary>
    private static DiscountRecord? Discounts(ApiContext ctx, FormParams form, CustomerRecord customer)
    {
        if (!form.Has("discounts"))
        {
            return customer.Discount;
        }

        var list = form.List("discounts");
        if (list.Count == 0)
        {
            return null;
        }

        list[0].EnsureOnly("coupon", "discount", "promotion_code");
        var couponId = list[0].Required("coupon");
        var coupon = ctx.Account.Coupons.GetValueOrDefault(couponId) ?? throw StripeApiException.NoSuch("coupon", couponId, list[0].Name("coupon"));
        return coupon with { Id = Ids.New("di"), Start = ctx.Now };
    }

    private static List<string> DefaultTaxRates(ApiContext ctx, FormParams form)
    {
        var ids = form.StringList("default_tax_rates").ToList();
        foreach (var id in ids)
        {
            if (!ctx.Account.TaxRates.TryGetValue(id, out var rate) || !rate.Active)
            {
                throw StripeApiException.NoSuch("tax_rate", id, "default_tax_rates");
            }
        }

        return ids;
    }

    private static byte[] Update(ApiContext ctx)
    {
        ctx.Form.EnsureOnly(UpdateParams);
        var expand = Expansions.From(ctx.Form, isList: false, Expandable);
        var invoice = Find(ctx.Account, ctx.RequiredId);
        if (invoice.Status is InvoiceStatus.Paid or InvoiceStatus.Void)
        {
            throw StripeApiException.State($"You can't update an invoice that is {invoice.Status}.");
        }

        if (invoice.Status != InvoiceStatus.Draft)
        {
            // Finalized invoices only take the fields Stripe still lets change.
            ctx.Form.EnsureOnly("description", "footer", "metadata", "auto_advance", "expand", "default_payment_method");
        }

        ApplySettings(ctx, invoice, creating: false);
        Touch(ctx, invoice);
        Raise(ctx, invoice, "invoice.updated");
        return Json(ctx, invoice, expand);
    }

    private static void ApplySettings(ApiContext ctx, InvoiceRecord invoice, bool creating)
    {
        var form = ctx.Form;
        if (form.NonEmpty("collection_method") is { } method)
        {
            invoice.CollectionMethod = method is "charge_automatically" or "send_invoice"
                ? method
                : throw StripeApiException.InvalidRequest("Invalid collection_method: must be one of charge_automatically, send_invoice", "collection_method");
        }

        invoice.DaysUntilDue = form.Long("days_until_due") ?? invoice.DaysUntilDue;
        if (form.Long("due_date") is { } due)
        {
            invoice.DueDate = DateTimeOffset.FromUnixTimeSeconds(due);
        }

        if (invoice.CollectionMethod == "send_invoice")
        {
            if (invoice.DaysUntilDue is null && invoice.DueDate is null)
            {
                throw StripeApiException.MissingParam("days_until_due");
            }

            if (invoice.DaysUntilDue is { } days)
            {
                invoice.DueDate = (invoice.FinalizedAt ?? ctx.Now).AddDays(days);
            }
        }
        else if (form.Has("days_until_due") || form.Has("due_date"))
        {
            throw StripeApiException.InvalidRequest(
                "Invoices with collection_method=charge_automatically cannot have days_until_due or due_date.",
                form.Has("days_until_due") ? "days_until_due" : "due_date");
        }

        invoice.AutoAdvance = form.Bool("auto_advance") ?? (creating ? false : invoice.AutoAdvance);
        invoice.Description = Text(form, "description", invoice.Description);
        invoice.Footer = Text(form, "footer", invoice.Footer);
        invoice.StatementDescriptor = Text(form, "statement_descriptor", invoice.StatementDescriptor);
        if (form.Has("default_payment_method"))
        {
            invoice.DefaultPaymentMethodId = form.NonEmpty("default_payment_method") is { } pm
                ? PaymentMethods.Attached(ctx, invoice.CustomerId, pm, "default_payment_method").Id
                : null;
        }

        MetadataUpdate.Apply(form, "metadata", invoice.Metadata);
    }

    private static byte[] Retrieve(ApiContext ctx)
    {
        var expand = Expansions.From(ctx.Form, isList: false, Expandable);
        return Json(ctx, Find(ctx.Account, ctx.RequiredId), expand);
    }

    private static byte[] List(ApiContext ctx)
    {
        var form = ctx.Form;
        form.EnsureOnly("customer", "status", "collection_method", "limit", "starting_after", "ending_before", "expand", "created", "due_date", "subscription", "customer_account");
        var expand = Expansions.From(form, isList: true, Expandable);
        var customer = form.NonEmpty("customer");
        var status = form.NonEmpty("status");
        var method = form.NonEmpty("collection_method");
        var created = CreatedFilter(form);
        var all = ctx.Account.Invoices.Values
            .Where(i => customer is null || i.CustomerId == customer)
            .Where(i => created(i.Created.ToUnixTimeSeconds()))
            .Where(i => status is null || i.Status == status)
            .Where(i => method is null || i.CollectionMethod == method)
            .OrderByDescending(i => i.Sequence)
            .ToList();
        var (page, hasMore) = Pagination.Slice(form, all, i => i.Id);
        return StripeJson.Write(w => StripeJson.Page(w, "/v1/invoices", page, hasMore, (jw, i) => StripeJson.Invoice(jw, ctx.Account, i, expand)));
    }

    /// <summary><c>created</c> as a timestamp, or <c>created[gt|gte|lt|lte]</c>.</summary>
    private static Func<long, bool> CreatedFilter(FormParams form)
    {
        if (!form.Has("created"))
        {
            return _ => true;
        }

        if (!form.HasObject("created") || form.Object("created") is not { } range)
        {
            var exact = form.Long("created");
            return t => t == exact;
        }

        range.EnsureOnly("gt", "gte", "lt", "lte");
        var (gt, gte, lt, lte) = (range.Long("gt"), range.Long("gte"), range.Long("lt"), range.Long("lte"));
        return t => (gt is null || t > gt) && (gte is null || t >= gte) && (lt is null || t < lt) && (lte is null || t <= lte);
    }

    private static byte[] Delete(ApiContext ctx)
    {
        var invoice = Find(ctx.Account, ctx.RequiredId);
        RequireDraft(invoice, "delete");
        foreach (var line in invoice.Lines)
        {
            ctx.Account.InvoiceItems.Remove(line.Id);
        }

        ctx.Account.Invoices.Remove(invoice.Id);
        Raise(ctx, invoice, "invoice.deleted");
        return StripeJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", invoice.Id);
            w.WriteString("object", "invoice");
            w.WriteBoolean("deleted", true);
            w.WriteEndObject();
        });
    }

    private static byte[] Lines(ApiContext ctx)
    {
        ctx.Form.EnsureOnly("limit", "starting_after", "ending_before", "expand");
        var invoice = Find(ctx.Account, ctx.RequiredId);
        var (page, hasMore) = Pagination.Slice(ctx.Form, invoice.Lines, l => l.LineId);
        return StripeJson.Write(w => StripeJson.LineList(w, invoice, page, hasMore));
    }

    private static byte[] AddLines(ApiContext ctx)
    {
        var form = ctx.Form;
        form.EnsureOnly("lines", "invoice_metadata", "expand");
        var expand = Expansions.From(form, isList: false, Expandable);
        var invoice = Find(ctx.Account, ctx.RequiredId);
        RequireDraft(invoice, "add lines to");
        var lines = form.List("lines");
        if (lines.Count == 0)
        {
            throw StripeApiException.MissingParam("lines");
        }

        // Build every line before attaching any, so one bad line leaves the invoice untouched.
        var items = new List<InvoiceItemRecord>();
        foreach (var line in lines)
        {
            line.EnsureOnly("amount", "description", "metadata", "period", "price_data", "quantity", "discountable", "discounts", "invoice_item", "pricing", "quantity_decimal", "tax_amounts", "tax_rates");
            if (line.NonEmpty("invoice_item") is { } existingId)
            {
                var existing = ctx.Account.InvoiceItems.GetValueOrDefault(existingId) ?? throw StripeApiException.NoSuch("invoiceitem", existingId, "invoice_item");
                if (existing.InvoiceId is not null || existing.CustomerId != invoice.CustomerId)
                {
                    throw StripeApiException.InvalidRequest($"The invoice item {existingId} is not a pending item of this invoice's customer.", "invoice_item");
                }

                items.Add(existing);
                continue;
            }

            items.Add(LineAmounts.Build(ctx, line, invoice.CustomerId, invoice.Currency, productDataAllowed: true, taxAmountsAllowed: true));
        }

        LineTaxes.EnsureNotMixed(invoice, items);
        MetadataUpdate.Apply(form, "invoice_metadata", invoice.Metadata);
        foreach (var item in items)
        {
            ctx.Account.InvoiceItems.TryAdd(item.Id, item);
            AttachLine(ctx, invoice, item);
        }

        return Json(ctx, invoice, expand);
    }

    private static byte[] Finalize(ApiContext ctx)
    {
        ctx.Form.EnsureOnly("auto_advance", "expand");
        var expand = Expansions.From(ctx.Form, isList: false, Expandable);
        var invoice = Find(ctx.Account, ctx.RequiredId);
        if (invoice.Status != InvoiceStatus.Draft)
        {
            throw StripeApiException.State("This invoice is already finalized, you can't re-finalize a non-draft invoice.");
        }

        invoice.AutoAdvance = ctx.Form.Bool("auto_advance") ?? invoice.AutoAdvance;
        FinalizeDraft(ctx, invoice);
        return Json(ctx, invoice, expand);
    }

    /// <summary>
    /// Draft → open: the customer's balance applied, number, hosted URL, frozen customer details; an invoice
    /// with nothing due is paid at once, and so is an automatically collected one due less than the
    /// minimum charge (its amount then goes to the customer's balance, for the next invoice), as Stripe does.
    /// </summary>
    private static void FinalizeDraft(ApiContext ctx, InvoiceRecord invoice)
    {
        var customer = CustomerEndpoints.Find(ctx.Account, invoice.CustomerId, "customer");
        if (invoice.Total > LineAmounts.MaxAmount)
        {
            throw StripeApiException.InvalidRequest("Amount must be no more than $999,999.99", "amount", "amount_too_large");
        }

        InvoiceRevisions.EnsureOriginalRevisable(ctx, invoice);
        var start = customer.Balance;
        invoice.StartingBalance = start;
        invoice.EndingBalance = invoice.Total < 0 ? start + invoice.Total
            : start < 0 ? start + Math.Min(-start, invoice.Total)
            : 0;
        customer.Balance = invoice.EndingBalance.Value;
        if (invoice.CollectionMethod == "charge_automatically" && invoice.AmountDue is > 0 and < MinimumCharge)
        {
            customer.Balance += invoice.AmountDue;
            invoice.EndingBalance = customer.Balance;
            invoice.PaidBelowMinimum = true;
        }

        if (!InvoiceRevisions.Finalize(ctx, invoice, original => { Touch(ctx, original); Raise(ctx, original, "invoice.voided"); }))
        {
            invoice.Number = $"{customer.InvoicePrefix}-{customer.NextInvoiceSequence:D4}";
            customer.NextInvoiceSequence++;
        }

        invoice.Status = InvoiceStatus.Open;
        invoice.FinalizedAt = ctx.Now;
        invoice.HostedInvoiceUrl = ctx.Environment.HostedInvoiceUrl(ctx.Account.Id, invoice.Id);
        invoice.CustomerAtFinalization = new CustomerRecord
        {
            Id = customer.Id,
            Created = customer.Created,
            InvoicePrefix = customer.InvoicePrefix,
            Name = customer.Name,
            Email = customer.Email,
            Phone = customer.Phone,
            Address = customer.Address,
            TaxExempt = customer.TaxExempt,
        };
        if (invoice.DaysUntilDue is { } days && invoice.CollectionMethod == "send_invoice")
        {
            invoice.DueDate = ctx.Now.AddDays(days);
        }

        Touch(ctx, invoice);
        Raise(ctx, invoice, "invoice.finalized");
        if (invoice.AmountDue == 0)
        {
            MarkPaid(ctx, invoice);
        }
    }

    private static byte[] Send(ApiContext ctx)
    {
        ctx.Form.EnsureOnly("expand");
        var expand = Expansions.From(ctx.Form, isList: false, Expandable);
        var invoice = Find(ctx.Account, ctx.RequiredId);
        if (invoice.CollectionMethod != "send_invoice")
        {
            throw StripeApiException.InvalidRequest("You can only manually send an invoice if its collection method is 'send_invoice'.");
        }

        if (invoice.Status == InvoiceStatus.Void)
        {
            throw StripeApiException.State("You can't send a void invoice.");
        }

        if (invoice.Status == InvoiceStatus.Draft)
        {
            FinalizeDraft(ctx, invoice);
        }

        invoice.SendCount++;
        Raise(ctx, invoice, "invoice.sent");
        return Json(ctx, invoice, expand);
    }

    private static byte[] Pay(ApiContext ctx)
    {
        var form = ctx.Form;
        form.EnsureOnly("payment_method", "paid_out_of_band", "off_session", "forgive", "mandate", "source", "expand");
        var expand = Expansions.From(form, isList: false, Expandable);
        var invoice = Find(ctx.Account, ctx.RequiredId);
        switch (invoice.Status)
        {
            case InvoiceStatus.Paid:
                throw StripeApiException.InvalidRequest("Invoice is already paid.", code: "invoice_already_paid");
            case InvoiceStatus.Void:
                throw StripeApiException.State("This invoice is void and can't be paid.");
            case InvoiceStatus.Draft:
                FinalizeDraft(ctx, invoice);
                if (invoice.Status == InvoiceStatus.Paid)
                {
                    return Json(ctx, invoice, expand);
                }

                break;
        }

        if (form.Bool("paid_out_of_band") == true)
        {
            invoice.AmountPaidOutOfBand = invoice.AmountRemaining;
            MarkPaid(ctx, invoice);
            return Json(ctx, invoice, expand);
        }

        var customer = CustomerEndpoints.Find(ctx.Account, invoice.CustomerId, "customer");
        var pmId = form.NonEmpty("payment_method") is { } given
            ? PaymentMethods.Attached(ctx, customer.Id, given, "payment_method").Id
            : invoice.DefaultPaymentMethodId ?? customer.DefaultPaymentMethodId ?? customer.DefaultSourceId
              ?? throw StripeApiException.InvalidRequest(
                  "This customer has no attached payment source or default payment method. Please consider adding a default payment method.");
        var pm = ctx.Account.PaymentMethods[pmId];
        var decline = FakeCards.DeclineCode(pm.Card);
        var attempt = new PaymentAttempt(Ids.New("ch"), Ids.New("pi"), pm.Id, invoice.AmountRemaining, decline is null, decline, ctx.Now);
        invoice.Attempts.Add(attempt);
        invoice.Attempted = true;
        invoice.AttemptCount++;
        Touch(ctx, invoice);
        if (decline is not null)
        {
            Raise(ctx, invoice, "invoice.payment_failed");
            throw new StripeApiException(402, "card_error", "Your card was declined.", "card_declined", stored: true)
            {
                DeclineCode = decline,
                Charge = attempt.ChargeId,
            };
        }

        invoice.AmountPaid += attempt.Amount;
        MarkPaid(ctx, invoice);
        return Json(ctx, invoice, expand);
    }

    public static void MarkPaid(ApiContext ctx, InvoiceRecord invoice)
    {
        invoice.Status = InvoiceStatus.Paid;
        invoice.PaidAt = ctx.Now;
        Touch(ctx, invoice);
        Raise(ctx, invoice, "invoice.paid");
        Raise(ctx, invoice, "invoice.payment_succeeded");
    }

    private static byte[] Void(ApiContext ctx)
    {
        ctx.Form.EnsureOnly("expand");
        var expand = Expansions.From(ctx.Form, isList: false, Expandable);
        var invoice = Find(ctx.Account, ctx.RequiredId);
        if (invoice.Status is not (InvoiceStatus.Open or InvoiceStatus.Uncollectible))
        {
            throw StripeApiException.State($"You can only void an open or uncollectible invoice; invoice {invoice.Id} is {invoice.Status}.");
        }

        invoice.Status = InvoiceStatus.Void;
        invoice.VoidedAt = ctx.Now;
        Touch(ctx, invoice);
        Raise(ctx, invoice, "invoice.voided");
        return Json(ctx, invoice, expand);
    }

    private static byte[] MarkUncollectible(ApiContext ctx)
    {
        ctx.Form.EnsureOnly("expand");
        var expand = Expansions.From(ctx.Form, isList: false, Expandable);
        var invoice = Find(ctx.Account, ctx.RequiredId);
        if (invoice.Status != InvoiceStatus.Open)
        {
            throw StripeApiException.State($"You can only mark an open invoice uncollectible; invoice {invoice.Id} is {invoice.Status}.");
        }

        invoice.Status = InvoiceStatus.Uncollectible;
        invoice.MarkedUncollectibleAt = ctx.Now;
        Touch(ctx, invoice);
        Raise(ctx, invoice, "invoice.marked_uncollectible");
        return Json(ctx, invoice, expand);
    }

    private static void Raise(ApiContext ctx, InvoiceRecord invoice, string type) =>
        ctx.RaisedEvents.Add(EventFactory.ForInvoice(
            ctx.Account, invoice, type, ctx.Environment.Options.ApiVersion, ctx.Now, ctx.RequestId, ctx.IdempotencyKey));

    private static string? Text(FormParams form, string name, string? current) =>
        form.String(name) is { } value ? (value.Length == 0 ? null : value) : current;
}
