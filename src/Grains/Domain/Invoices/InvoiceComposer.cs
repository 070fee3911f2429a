using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// Turns a statement (or one-time items) and a billing profile into invoice lines and totals.
/// Each line is quantity × unit price rounded once to cents (<see cref="Money.RoundToCents"/>); the
/// subtotal is the sum of the rounded lines. A catalogue product is billed when the profile prices it
/// and the statement's quantity is not zero, in catalogue order; recurring items follow in the
/// profile's order. Taxes are added by <see cref="WithTaxes"/>, never here.
/// </summary>
public static class InvoiceComposer
{
    public static InvoiceDraft ComposeMonthly(
        string accountId, string tenantId, BillingPeriod period, Statement statement, BillingProfile profile, DateTimeOffset invoiceDate)
    {
        var lines = new List<InvoiceLine>();
        foreach (var product in ProductCatalog.All)
        {
            if (profile.Prices.TryGetValue(product.Code, out var unitPrice)
                && statement.Quantities.TryGetValue(product.Code, out var quantity)
                && quantity != 0)
            {
                lines.Add(Line(product.Code, $"{product.Name} — {period.DisplayName}", product.Code, quantity, unitPrice, product.TaxCategory));
            }
        }

        for (var i = 0; i < profile.RecurringItems.Count; i++)
        {
            var item = profile.RecurringItems[i];
            lines.Add(Line($"recurring-{i + 1}", $"{item.Description} — {period.DisplayName}", null, item.Quantity, item.UnitPrice, item.TaxCategory));
        }

        return Draft(
            GrainKeys.MonthlyInvoice(accountId, tenantId, period.ToString()), accountId, tenantId, InvoiceKind.Monthly,
            period.ToString(), $"Usage for {period.DisplayName}", invoiceDate, lines, profile, statement.UsageTotal, statement);
    }

    /// <summary>
    /// A one-time invoice. Catalogue items take the profile's price (the caller has checked it
    /// exists); custom items carry their own price and tax category. The phantom-fee basis is the
    /// latest statement's usage total (zero when there is none).
    /// </summary>
    public static InvoiceDraft ComposeOneTime(
        string accountId, string tenantId, string requestId, IReadOnlyList<OneTimeItem> items, BillingProfile profile,
        decimal latestUsageTotal, DateTimeOffset invoiceDate)
    {
        var lines = new List<InvoiceLine>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var lineRef = $"item-{i + 1}";
            if (item.ProductCode is { } code)
            {
                var product = ProductCatalog.Get(code);
                lines.Add(Line(lineRef, item.Description ?? product.Name, code, item.Quantity, profile.Prices[code], product.TaxCategory));
            }
            else
            {
                lines.Add(Line(lineRef, item.Description!, null, item.Quantity, item.UnitPrice!.Value, item.TaxCategory!.Value));
            }
        }

        return Draft(
            GrainKeys.OneTimeInvoice(accountId, tenantId, requestId), accountId, tenantId, InvoiceKind.OneTime,
            null, "One-time charges", invoiceDate, lines, profile, latestUsageTotal, null);
    }

    /// <summary>The draft with its tax lines (each already rounded to cents) and totals.</summary>
    public static InvoiceDraft WithTaxes(InvoiceDraft draft, IReadOnlyList<InvoiceTaxLine> taxes)
    {
        var taxTotal = taxes.Sum(t => t.TaxAmount);
        return draft with { Taxes = taxes, TaxTotal = taxTotal, Total = draft.Subtotal + taxTotal };
    }

    private static InvoiceLine Line(string lineRef, string description, string? productCode, decimal quantity, decimal unitPrice, TaxCategory category) =>
        new(lineRef, description, productCode, quantity, unitPrice, Money.RoundToCents(quantity * unitPrice), category);

    private static InvoiceDraft Draft(
        string key, string accountId, string tenantId, InvoiceKind kind, string? period, string description, DateTimeOffset invoiceDate,
        List<InvoiceLine> lines, BillingProfile profile, decimal usageTotal, Statement? statement)
    {
        var subtotal = lines.Sum(l => l.Amount);
        return new InvoiceDraft(
            key, accountId, tenantId, kind, period, description, invoiceDate, lines, [], subtotal, 0m, subtotal,
            profile.AutoCharge, profile.IncludeTaxes, usageTotal, statement);
    }
}
