using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>
/// Stripe's invoice revisions: <c>POST /v1/invoices</c> with <c>from_invoice[action]=revision</c> and
/// <c>from_invoice[invoice]</c> makes a draft linked to a finalized invoice that is <c>open</c> or
/// <c>uncollectible</c> (never a draft, a paid or a void one), with the original's settings and a copy of every
/// line (taxes included) but none of its credit notes or the customer's pending items. Finalizing the revision
/// voids the original (which then names it as <c>latest_revision</c>) and numbers it after the first invoice
/// of the chain with a suffix: <c>ABCD1234-0007-1</c>, <c>-2</c>, … The customer's invoice sequence does not move.
/// </summary>
internal static class InvoiceRevisions
{
    /// <summary>The invoice <c>from_invoice</c> names, checked: it can be revised now.</summary>
    public static InvoiceRecord? Original(ApiContext ctx, FormParams form)
    {
        if (form.Object("from_invoice") is not { } from)
        {
            return null;
        }

        from.EnsureOnly("action", "invoice");
        var action = from.Required("action");
        if (action != "revision")
        {
            throw StripeApiException.InvalidRequest($"Invalid from_invoice[action]: must be one of revision (got {action}).", from.Name("action"));
        }

        var original = InvoiceEndpoints.Find(ctx.Account, from.Required("invoice"), from.Name("invoice"));
        EnsureRevisable(original, from.Name("invoice"));
        return original;
    }

    /// <summary>A draft copying the original's settings and lines (new line and item ids).</summary>
    public static InvoiceRecord Draft(ApiContext ctx, InvoiceRecord original)
    {
        var revision = new InvoiceRecord
        {
            Id = ctx.Environment.NewVisibleId("in"),
            Sequence = ++ctx.Account.InvoiceSequence,
            Created = ctx.Now,
            CustomerId = original.CustomerId,
            Currency = original.Currency,
            FromInvoiceId = original.Id,
            CollectionMethod = original.CollectionMethod,
            DaysUntilDue = original.DaysUntilDue,
            DueDate = original.DueDate,
            Description = original.Description,
            Footer = original.Footer,
            StatementDescriptor = original.StatementDescriptor,
            DefaultPaymentMethodId = original.DefaultPaymentMethodId,
            Discount = original.Discount,
            DefaultTaxRateIds = [.. original.DefaultTaxRateIds],
            AutomaticTax = original.AutomaticTax,
        };
        foreach (var (key, value) in original.Metadata)
        {
            revision.Metadata[key] = value;
        }

        foreach (var line in original.Lines)
        {
            var copy = new InvoiceItemRecord
            {
                Id = Ids.New("ii"),
                LineId = Ids.New("il"),
                Created = ctx.Now,
                CustomerId = line.CustomerId,
                Amount = line.Amount,
                Currency = line.Currency,
                Description = line.Description,
                Quantity = line.Quantity,
                UnitAmountDecimal = line.UnitAmountDecimal,
                PriceId = line.PriceId,
                ProductId = line.ProductId,
                PeriodStart = line.PeriodStart,
                PeriodEnd = line.PeriodEnd,
                Metadata = new Dictionary<string, string>(line.Metadata, StringComparer.Ordinal),
                Discountable = line.Discountable,
                TaxRateIds = [.. line.TaxRateIds],
                TaxAmounts = [.. line.TaxAmounts],
            };
            ctx.Account.InvoiceItems.Add(copy.Id, copy);
            InvoiceEndpoints.AttachLine(ctx, revision, copy);
        }

        return revision;
    }

    /// <summary>
    /// At finalization: the revision's number (the chain's first number and a suffix), and the original voided.
    /// False for an invoice that revises nothing.
    /// </summary>
    public static bool Finalize(ApiContext ctx, InvoiceRecord revision, Action<InvoiceRecord> voided)
    {
        if (revision.FromInvoiceId is not { } originalId)
        {
            return false;
        }

        var original = InvoiceEndpoints.Find(ctx.Account, originalId, "from_invoice");
        EnsureRevisable(original, "from_invoice");
        var first = original;
        while (first.FromInvoiceId is { } earlier && ctx.Account.Invoices.TryGetValue(earlier, out var before))
        {
            first = before;
        }

        first.RevisionsFinalized++;
        revision.Number = $"{first.Number}-{first.RevisionsFinalized}";
        original.LatestRevisionId = revision.Id;
        original.Status = InvoiceStatus.Void;
        original.VoidedAt = ctx.Now;
        voided(original);
        return true;
    }

    /// <summary>Before a revision is finalized: the invoice it revises must still be open or uncollectible.</summary>
    public static void EnsureOriginalRevisable(ApiContext ctx, InvoiceRecord revision)
    {
        if (revision.FromInvoiceId is { } originalId)
        {
            EnsureRevisable(InvoiceEndpoints.Find(ctx.Account, originalId, "from_invoice"), "from_invoice");
        }
    }

    private static void EnsureRevisable(InvoiceRecord original, string param)
    {
        if (original.Status is not (InvoiceStatus.Open or InvoiceStatus.Uncollectible))
        {
            throw StripeApiException.InvalidRequest(
                $"You can only revise an invoice that is open or uncollectible; invoice {original.Id} is {original.Status}.", param, "invoice_not_editable");
        }
    }
}
