using System.Globalization;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// The lines a composed invoice becomes on Stripe: one per billed line, then one per tax, each an
/// exact amount in cents (already rounded by the composer) with a description that shows how it was
/// figured. Their sum is the draft's total to the cent, so Stripe's total equals the preview's.
/// </summary>
public static class StripeInvoiceLines
{
    public readonly record struct Line(long AmountCents, string Description);

    public static IReadOnlyList<Line> For(InvoiceDraft draft)
    {
        var lines = new List<Line>(draft.Lines.Count + draft.Taxes.Count);
        foreach (var line in draft.Lines)
        {
            lines.Add(new Line(Money.ToCents(line.Amount), $"{line.Description} ({Number(line.Quantity)} × {Price(line.UnitPrice)})"));
        }

        foreach (var tax in draft.Taxes)
        {
            lines.Add(new Line(Money.ToCents(tax.TaxAmount), TaxDescription(tax)));
        }

        return lines;
    }

    /// <summary>"Federal USF (US): 37.0% of $64.90" or "Minnesota 911 fee (MN): $0.95 × 3 lines".</summary>
    public static string TaxDescription(InvoiceTaxLine tax)
    {
        var basis = tax.Rate is { } rate
            ? $"{(rate * 100m).ToString("0.####", CultureInfo.InvariantCulture)}% of {Price(tax.TaxableAmount)}"
            : $"{Price(tax.AmountPerUnit ?? 0m)} × {Number(tax.Units ?? 0m)} lines";
        return $"{tax.Name} ({tax.JurisdictionCode}): {basis}";
    }

    private static string Number(decimal value) => value.ToString("#,0.######", CultureInfo.InvariantCulture);

    private static string Price(decimal value) => "$" + value.ToString("#,0.00####", CultureInfo.InvariantCulture);
}
