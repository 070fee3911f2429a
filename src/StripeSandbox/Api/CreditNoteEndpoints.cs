using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.Json;
using TenantBilling.StripeSandbox.State;
using TenantBilling.StripeSandbox.Webhooks;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>
/// <c>/v1/credit_notes</c>: a credit note on a finalized invoice (open, uncollectible or paid; never a draft or a
/// void one), for whole or part invoice lines (<c>type=invoice_line_item</c>, by <c>amount</c> or
/// <c>quantity</c>), custom lines, or a plain <c>amount</c>. Stripe's rules kept here:
/// <list type="bullet">
/// <item>A line that carried tax amounts can only be credited with <c>tax_amounts</c> naming the tax rates Stripe
/// archived for that line, every one of them, each at most what is left of it; a plain <c>amount</c> is refused on
/// such an invoice. A line taxed by tax rates gets its tax in proportion.</item>
/// <item>The total (lines + taxes) never exceeds what is left to credit on the invoice, nor a line what is left of it.</item>
/// <item>Open (pre-payment): the total lowers the amount due (the invoice is paid when nothing is left); nothing can be
/// refunded. Paid (post-payment): <c>credit_amount</c> (to the customer's balance) + <c>refund_amount</c> (at most what
/// was charged and not yet refunded) + <c>out_of_band_amount</c> equal the total; none given credits the balance.</item>
/// </list>
/// Numbered <c>{invoice number}-CN-01</c>, … Raises <c>credit_note.created</c>.
/// </summary>
internal static class CreditNoteEndpoints
{
    private static readonly string[] Reasons = ["duplicate", "fraudulent", "order_change", "product_unsatisfactory"];

    public static Router MapCreditNotes(this Router router) => router
        .Map("POST", "/v1/credit_notes", Create)
        .Map("GET", "/v1/credit_notes", List)
        .Map("GET", "/v1/credit_notes/{id}", Retrieve);

    private static byte[] Create(ApiContext ctx)
    {
        var form = ctx.Form;
        form.EnsureOnly(
            "invoice", "lines", "amount", "credit_amount", "refund_amount", "out_of_band_amount", "reason", "memo", "metadata",
            "email_type", "effective_at", "refunds", "shipping_cost", "expand");
        var invoice = InvoiceEndpoints.Find(ctx.Account, form.Required("invoice"), "invoice");
        if (invoice.Status is InvoiceStatus.Draft or InvoiceStatus.Void)
        {
            throw StripeApiException.InvalidRequest(
                $"You can only create a credit note for a finalized invoice that is not void; invoice {invoice.Id} is {invoice.Status}.", "invoice", "invoice_not_editable");
        }

        var reason = form.NonEmpty("reason");
        if (reason is not null && Array.IndexOf(Reasons, reason) < 0)
        {
            throw StripeApiException.InvalidRequest($"Invalid reason: must be one of {string.Join(", ", Reasons)}", "reason");
        }

        var lines = Lines(ctx, form, invoice);
        var total = lines.Sum(l => l.Amount) + lines.Sum(l => l.Taxes.Where(t => !t.Inclusive).Sum(t => t.Amount));
        if (form.Long("amount") is { } amount && form.List("lines").Count > 0 && amount != total)
        {
            throw StripeApiException.InvalidRequest($"The amount ({amount}) must equal the sum of the lines and their taxes ({total}).", "amount");
        }

        if (total <= 0)
        {
            throw StripeApiException.InvalidRequest("A credit note must credit a positive amount.", "lines");
        }

        var left = invoice.Total - invoice.CreditNotesTotal;
        if (total > left)
        {
            throw StripeApiException.InvalidRequest(
                $"The credit note's total ({total}) is more than is left to credit on invoice {invoice.Id} ({left}).", "amount", "credit_note_amount_too_large");
        }

        var paid = invoice.Status == InvoiceStatus.Paid;
        var (credit, refund, outOfBand) = Allocation(form, invoice, total, paid);
        var customer = CustomerEndpoints.Find(ctx.Account, invoice.CustomerId, "customer");
        var note = new CreditNoteRecord
        {
            Id = Ids.New("cn"),
            Number = $"{invoice.Number}-CN-{invoice.CreditNoteCount + 1:D2}",
            InvoiceId = invoice.Id,
            CustomerId = invoice.CustomerId,
            Currency = invoice.Currency,
            Created = ctx.Now,
            Type = paid ? "post_payment" : "pre_payment",
            Lines = lines,
            CreditAmount = credit,
            RefundAmount = refund,
            OutOfBandAmount = outOfBand,
            RefundId = refund > 0 ? Ids.New("re") : null,
            Reason = reason,
            Memo = form.NonEmpty("memo"),
        };
        MetadataUpdate.Apply(form, "metadata", note.Metadata);

        invoice.CreditNoteCount++;
        if (paid)
        {
            invoice.PostPaymentCreditNotes += total;
            invoice.Refunded += refund;
            customer.Balance -= credit;
        }
        else
        {
            invoice.PrePaymentCreditNotes += total;
        }

        ctx.Account.CreditNotes.Add(note.Id, note);
        ctx.RaisedEvents.Add(EventFactory.ForCreditNote(ctx.Account, note, "credit_note.created", ctx.Environment.Options.ApiVersion, ctx.Now, ctx.RequestId, ctx.IdempotencyKey));
        InvoiceEndpoints.Touch(ctx, invoice);
        if (!paid && invoice.AmountRemaining == 0)
        {
            InvoiceEndpoints.MarkPaid(ctx, invoice);
        }

        return StripeJson.Write(w => CreditNoteJson.CreditNote(w, ctx.Account, note));
    }

    /// <summary>Where a credit note's money goes: to the customer's balance, refunded, or settled outside Stripe.</summary>
    private static (long Credit, long Refund, long OutOfBand) Allocation(FormParams form, InvoiceRecord invoice, long total, bool paid)
    {
        var credit = form.Long("credit_amount");
        var refund = form.Long("refund_amount");
        var outOfBand = form.Long("out_of_band_amount");
        if ((credit ?? 0) < 0 || (refund ?? 0) < 0 || (outOfBand ?? 0) < 0)
        {
            throw StripeApiException.InvalidRequest("credit_amount, refund_amount and out_of_band_amount must be at least 0.", "credit_amount");
        }

        if (!paid)
        {
            if (refund > 0 || credit > 0 || outOfBand > 0)
            {
                throw StripeApiException.InvalidRequest(
                    $"Invoice {invoice.Id} is not paid: a credit note lowers what is due on it, and nothing can be refunded, credited or settled out of band.",
                    refund > 0 ? "refund_amount" : credit > 0 ? "credit_amount" : "out_of_band_amount");
            }

            return (0, 0, 0);
        }

        if (credit is null && refund is null && outOfBand is null)
        {
            return (total, 0, 0);
        }

        var (c, r, o) = (credit ?? 0, refund ?? 0, outOfBand ?? 0);
        if (c + r + o != total)
        {
            throw StripeApiException.InvalidRequest(
                $"The sum of credit_amount, refund_amount and out_of_band_amount ({c + r + o}) must equal the credit note's total ({total}).", "credit_amount");
        }

        var charged = invoice.Attempts.Where(a => a.Succeeded).Sum(a => a.Amount);
        if (r > charged - invoice.Refunded)
        {
            throw StripeApiException.InvalidRequest(
                $"The refund_amount ({r}) is more than was charged for invoice {invoice.Id} and not yet refunded ({charged - invoice.Refunded}).", "refund_amount", "refund_amount_too_large");
        }

        return (c, r, o);
    }

    private static List<CreditNoteLineRecord> Lines(ApiContext ctx, FormParams form, InvoiceRecord invoice)
    {
        var given = form.List("lines");
        if (given.Count == 0)
        {
            var amount = form.Long("amount") ?? throw StripeApiException.MissingParam("lines");
            if (invoice.Lines.Any(l => l.TaxAmounts.Count > 0))
            {
                throw StripeApiException.InvalidRequest(
                    "This invoice's lines carry tax amounts: credit it by lines (lines[][type]=invoice_line_item) with the matching tax_amounts, not by amount.", "amount");
            }

            return [new CreditNoteLineRecord(Ids.New("cnli"), "custom_line_item", null, amount, 1, amount, "Credit", [])];
        }

        var lines = new List<CreditNoteLineRecord>(given.Count);
        foreach (var line in given)
        {
            line.EnsureOnly("type", "invoice_line_item", "amount", "quantity", "description", "unit_amount", "unit_amount_decimal", "tax_amounts", "tax_rates", "metadata");
            var type = line.Required("type");
            lines.Add(type switch
            {
                "invoice_line_item" => InvoiceLine(ctx, line, invoice, lines),
                "custom_line_item" => CustomLine(line),
                _ => throw StripeApiException.InvalidRequest($"Invalid type: must be one of invoice_line_item, custom_line_item", line.Name("type")),
            });
        }

        return lines;
    }

    private static CreditNoteLineRecord CustomLine(FormParams line)
    {
        if (line.List("tax_amounts").Count > 0 || line.NonEmpty("invoice_line_item") is not null)
        {
            throw StripeApiException.InvalidRequest("A custom_line_item credits an amount of its own, without an invoice line or tax amounts.", line.Name(line.Has("tax_amounts") ? "tax_amounts" : "invoice_line_item"));
        }

        var quantity = line.Long("quantity") ?? 1;
        var unit = line.Long("unit_amount") ?? line.Decimal("unit_amount_decimal") ?? throw StripeApiException.MissingParam(line.Name("unit_amount"));
        var description = line.Required("description");
        var amount = (long)Math.Round(unit * quantity, 0, MidpointRounding.AwayFromZero);
        return new CreditNoteLineRecord(Ids.New("cnli"), "custom_line_item", null, amount, quantity, unit, description, []);
    }

    private static CreditNoteLineRecord InvoiceLine(ApiContext ctx, FormParams line, InvoiceRecord invoice, List<CreditNoteLineRecord> earlierInThisNote)
    {
        var lineId = line.Required("invoice_line_item");
        var invoiceLine = invoice.Lines.FirstOrDefault(l => l.LineId == lineId)
            ?? throw StripeApiException.NoSuch("invoice line item", lineId, line.Name("invoice_line_item"));
        var credited = Credited(ctx, invoice, lineId).Concat(earlierInThisNote.Where(l => l.InvoiceLineId == lineId)).ToList();
        var lineLeft = invoiceLine.Amount - credited.Sum(l => l.Amount);
        var amount = line.Long("amount")
            ?? (line.Long("quantity") is { } quantity
                ? (long)Math.Round(invoiceLine.UnitAmountDecimal * quantity, 0, MidpointRounding.AwayFromZero)
                : throw StripeApiException.MissingParam(line.Name("amount")));
        if (amount < 0 || amount > lineLeft)
        {
            throw StripeApiException.InvalidRequest(
                $"The amount credited on invoice line {lineId} ({amount}) must be between 0 and what is left of it ({lineLeft}).", line.Name("amount"), "credit_note_amount_too_large");
        }

        var taxes = invoiceLine.TaxAmounts.Count > 0
            ? MatchingTaxAmounts(line, invoiceLine, credited)
            : line.List("tax_amounts").Count > 0
                ? throw StripeApiException.InvalidRequest($"Invoice line {lineId} has no tax amounts; tax_amounts can't be given for it.", line.Name("tax_amounts"))
                : ProportionalTaxes(invoiceLine, amount);
        return new CreditNoteLineRecord(
            Ids.New("cnli"), "invoice_line_item", lineId, amount, line.Long("quantity") ?? invoiceLine.Quantity, invoiceLine.UnitAmountDecimal,
            line.NonEmpty("description") ?? invoiceLine.Description, taxes);
    }

    /// <summary>
    /// A line with tax amounts is credited with the same tax rates, every one, each at most what is left of it:
    /// Stripe refuses a credit note that would leave the tax it reported standing, or reverse more than there was.
    /// </summary>
    private static List<LineTax> MatchingTaxAmounts(FormParams line, InvoiceItemRecord invoiceLine, List<CreditNoteLineRecord> credited)
    {
        var given = line.List("tax_amounts");
        if (given.Count == 0)
        {
            throw StripeApiException.InvalidRequest(
                $"Invoice line {invoiceLine.LineId} has tax amounts: a credit note line for it must carry tax_amounts for each of its tax rates ({string.Join(", ", invoiceLine.TaxAmounts.Select(t => t.TaxRateId))}).",
                line.Name("tax_amounts"), "parameter_missing");
        }

        var taxes = new List<LineTax>(given.Count);
        foreach (var item in given)
        {
            item.EnsureOnly("amount", "tax_rate", "taxable_amount");
            var rateId = item.Required("tax_rate");
            var amount = item.Long("amount") ?? throw StripeApiException.MissingParam(item.Name("amount"));
            var taxable = item.Long("taxable_amount") ?? throw StripeApiException.MissingParam(item.Name("taxable_amount"));
            var original = invoiceLine.TaxAmounts.Where(t => t.TaxRateId == rateId).ToList();
            if (original.Count == 0)
            {
                throw StripeApiException.InvalidRequest($"Tax rate {rateId} is not one of invoice line {invoiceLine.LineId}'s tax amounts.", item.Name("tax_rate"));
            }

            if (taxes.Any(t => t.TaxRateId == rateId))
            {
                throw StripeApiException.InvalidRequest($"Tax rate {rateId} is given twice.", item.Name("tax_rate"));
            }

            var left = original.Sum(t => t.Amount) - credited.SelectMany(l => l.Taxes).Where(t => t.TaxRateId == rateId).Sum(t => t.Amount);
            if (amount < 0 || amount > left || taxable < 0)
            {
                throw StripeApiException.InvalidRequest(
                    $"The tax amount credited for tax rate {rateId} ({amount}) must be between 0 and what is left of it on the line ({left}).", item.Name("amount"));
            }

            taxes.Add(new LineTax(amount, taxable, rateId, original[0].Inclusive, original[0].TaxabilityReason));
        }

        var missing = invoiceLine.TaxAmounts.Select(t => t.TaxRateId).Distinct().Where(id => taxes.All(t => t.TaxRateId != id)).ToList();
        if (missing.Count > 0)
        {
            throw StripeApiException.InvalidRequest(
                $"Invoice line {invoiceLine.LineId}'s tax amounts for {string.Join(", ", missing)} are missing from the credit note line.", line.Name("tax_amounts"));
        }

        return taxes;
    }

    private static List<LineTax> ProportionalTaxes(InvoiceItemRecord invoiceLine, long amount) =>
        invoiceLine.Amount == 0
            ? []
            : invoiceLine.Taxes.Select(t => t with
            {
                Amount = (long)Math.Round((decimal)t.Amount * amount / invoiceLine.Amount, 0, MidpointRounding.AwayFromZero),
                TaxableAmount = (long)Math.Round((decimal)t.TaxableAmount * amount / invoiceLine.Amount, 0, MidpointRounding.AwayFromZero),
            }).ToList();

    private static IEnumerable<CreditNoteLineRecord> Credited(ApiContext ctx, InvoiceRecord invoice, string lineId) =>
        ctx.Account.CreditNotes.Values.Where(n => n.InvoiceId == invoice.Id && n.Status == "issued").SelectMany(n => n.Lines).Where(l => l.InvoiceLineId == lineId);

    private static byte[] Retrieve(ApiContext ctx)
    {
        ctx.Form.EnsureOnly("expand");
        var note = ctx.Account.CreditNotes.GetValueOrDefault(ctx.RequiredId) ?? throw StripeApiException.NoSuch("credit_note", ctx.RequiredId);
        return StripeJson.Write(w => CreditNoteJson.CreditNote(w, ctx.Account, note));
    }

    private static byte[] List(ApiContext ctx)
    {
        var form = ctx.Form;
        form.EnsureOnly("invoice", "customer", "limit", "starting_after", "ending_before", "expand", "created", "customer_account");
        var invoice = form.NonEmpty("invoice");
        var customer = form.NonEmpty("customer");
        var all = ctx.Account.CreditNotes.Values
            .Where(n => invoice is null || n.InvoiceId == invoice)
            .Where(n => customer is null || n.CustomerId == customer)
            .OrderByDescending(n => n.Created)
            .ThenByDescending(n => n.Number, StringComparer.Ordinal)
            .ToList();
        var (page, hasMore) = Pagination.Slice(form, all, n => n.Id);
        return StripeJson.Write(w => StripeJson.Page(w, "/v1/credit_notes", page, hasMore, (jw, n) => CreditNoteJson.CreditNote(jw, ctx.Account, n)));
    }
}
