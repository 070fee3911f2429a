using System.Globalization;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// The lines a composed invoice becomes on Stripe: one per billed line, each an exact amount in cents
/// (already rounded by the composer) with a description that shows how it was figured, carrying its
/// taxes as Stripe tax amounts (<see cref="StripeTaxAmounts"/>). Every line is non-discountable, so no
/// coupon can change what we composed. Σ line amounts + Σ tax amounts is the draft's total to the cent,
/// so Stripe's total equals the preview's.
/// </summary>
public static class StripeInvoiceLines
{
    public sealed record Line(long AmountCents, string Description, IReadOnlyList<StripeTaxAmount> TaxAmounts);

    public static IReadOnlyList<Line> For(InvoiceDraft draft)
    {
        var taxes = draft.Taxes.Count == 0 ? new Dictionary<string, IReadOnlyList<StripeTaxAmount>>() : StripeTaxAmounts.ByLine(draft);
        return draft.Lines
            .Select(line => new Line(
                Money.ToCents(line.Amount),
                $"{line.Description} ({Number(line.Quantity)} × {Price(line.UnitPrice)})",
                taxes.GetValueOrDefault(line.LineRef) ?? []))
            .ToList();
    }

    /// <summary>The cents Stripe's invoice must total: every line and every tax amount.</summary>
    public static long TotalCents(IReadOnlyList<Line> lines) => lines.Sum(l => l.AmountCents + l.TaxAmounts.Sum(t => t.AmountCents));

    private static string Number(decimal value) => value.ToString("#,0.######", CultureInfo.InvariantCulture);

    private static string Price(decimal value) => "$" + value.ToString("#,0.00####", CultureInfo.InvariantCulture);
}
