using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Corrections;

/// <summary>One invoice line of a credit: the dollars credited, each tax given back, and those taxes as Stripe tax amounts.</summary>
/// <param name="LineIndex">The line's place on the invoice (and on Stripe's invoice, where lines keep our order).</param>
public sealed record CreditPlanLine(int LineIndex, string LineRef, decimal Amount, IReadOnlyList<CreditedTaxPart> Taxes, IReadOnlyList<StripeTaxAmount> StripeTaxAmounts)
{
    public decimal TaxAmount => Taxes.Sum(t => t.TaxAmount);
}

/// <summary>A credit worked out: its lines, the taxes it gives back per invoice tax line (for the tax report), and its totals.</summary>
public sealed record CreditPlan(IReadOnlyList<CreditPlanLine> Lines, IReadOnlyList<InvoiceTaxLine> Taxes)
{
    public decimal Subtotal => Lines.Sum(l => l.Amount);

    public decimal TaxTotal => Lines.Sum(l => l.TaxAmount);

    public decimal Total => Subtotal + TaxTotal;
}

/// <summary>
/// How a credit of a paid invoice is figured. Each requested line is credited in whole (what is left of it) or by
/// an amount in dollars; with it goes the same share of every tax that line carries: a line credited in whole gives
/// back exactly what is left of each of its taxes, a part gives back each tax × amount ÷ line amount, rounded once
/// to the cent (<see cref="Money.RoundToCents"/>) and never more than is left. So credits of a whole invoice, in one
/// or in several, give back its taxes to the cent. The taxes go to Stripe as tax amounts on the credit note's lines,
/// in the order and grouping the invoice's lines carry them (<see cref="StripeTaxAmounts"/>), as Stripe requires.
/// </summary>
public static class CreditNotePlans
{
    public static CreditPlan Plan(InvoiceDraft draft, IReadOnlyList<CreditLineRequest> lines, IReadOnlyList<CreditedLine> earlierLines, IReadOnlyList<CreditedTaxPart> earlierTaxes)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (lines.Count == 0)
        {
            errors["lines"] = ["At least one line: {lineRef} for all that is left of it, or {lineRef, amount}."];
        }

        var planned = new List<CreditPlanLine>();
        for (var i = 0; i < lines.Count; i++)
        {
            var request = lines[i];
            var index = draft.Lines.ToList().FindIndex(l => l.LineRef == request.LineRef);
            if (index < 0)
            {
                errors[$"lines[{i}].lineRef"] = [$"Not a line of this invoice; its lines are {string.Join(", ", draft.Lines.Select(l => l.LineRef))}."];
                continue;
            }

            if (lines.Take(i).Any(l => l.LineRef == request.LineRef))
            {
                errors[$"lines[{i}].lineRef"] = ["The line is named twice."];
                continue;
            }

            var line = draft.Lines[index];
            var left = line.Amount - earlierLines.Where(l => l.LineRef == line.LineRef).Sum(l => l.Amount);
            var taxes = TaxesOf(draft, line.LineRef);
            var taxLeft = taxes.Sum(t => t.Part.TaxAmount) - earlierTaxes.Where(t => t.LineRef == line.LineRef).Sum(t => t.TaxAmount);
            var amount = request.Amount ?? left;
            if (request.Amount is { } asked && (asked <= 0 || asked > left || Money.RoundToCents(asked) != asked))
            {
                errors[$"lines[{i}].amount"] = [left <= 0 ? "Nothing is left to credit on this line." : $"Between 0.01 and {left:0.00} (what is left of the line), in cents."];
                continue;
            }

            if (request.Amount is null && left <= 0 && taxLeft <= 0)
            {
                errors[$"lines[{i}].lineRef"] = ["Nothing is left to credit on this line."];
                continue;
            }

            var whole = amount == left;
            var credited = taxes.Select(t => CreditTax(t.Index, t.Part, line, amount, whole, earlierTaxes)).ToList();
            var stripe = StripeTaxAmounts.Limit(taxes.Zip(credited)
                .Select(pair => StripeTaxAmounts.For(draft.Taxes[pair.First.Index], new InvoiceTaxPart(line.LineRef, pair.Second.TaxableAmount, pair.Second.Units, pair.Second.TaxAmount), draft.TaxJurisdiction?.State))
                .ToList());
            planned.Add(new CreditPlanLine(index, line.LineRef, amount, credited, stripe));
        }

        if (errors.Count > 0)
        {
            throw BillingProblemException.Invalid(errors);
        }

        var byTax = planned.SelectMany(l => l.Taxes).GroupBy(t => t.TaxIndex).OrderBy(g => g.Key)
            .Select(g => draft.Taxes[g.Key] with
            {
                TaxableAmount = g.Sum(t => t.TaxableAmount),
                TaxAmount = g.Sum(t => t.TaxAmount),
                Units = g.All(t => t.Units is null) ? null : g.Sum(t => t.Units ?? 0m),
                Parts = g.Select(t => new InvoiceTaxPart(t.LineRef, t.TaxableAmount, t.Units, t.TaxAmount)).ToList(),
            })
            .ToList();
        return new CreditPlan(planned, byTax);
    }

    /// <summary>The invoice's taxes on one line, in the order of its tax lines (a tax line kept without parts sits whole on the first line).</summary>
    private static List<(int Index, InvoiceTaxPart Part)> TaxesOf(InvoiceDraft draft, string lineRef) =>
        draft.Taxes
            .Select((tax, index) => (index, parts: tax.Parts ?? [new InvoiceTaxPart(draft.Lines[0].LineRef, tax.TaxableAmount, tax.Units, tax.TaxAmount)]))
            .SelectMany(t => t.parts.Where(p => p.LineRef == lineRef).Select(p => (t.index, p)))
            .ToList();

    private static CreditedTaxPart CreditTax(int taxIndex, InvoiceTaxPart part, InvoiceLine line, decimal amount, bool whole, IReadOnlyList<CreditedTaxPart> earlier)
    {
        var before = earlier.Where(t => t.TaxIndex == taxIndex && t.LineRef == line.LineRef).ToList();
        var taxLeft = part.TaxAmount - before.Sum(t => t.TaxAmount);
        var basisLeft = part.TaxableAmount - before.Sum(t => t.TaxableAmount);
        if (whole || line.Amount == 0)
        {
            return new CreditedTaxPart(taxIndex, line.LineRef, basisLeft, taxLeft, before.Count == 0 ? part.Units : null);
        }

        var share = amount / line.Amount;
        return new CreditedTaxPart(
            taxIndex, line.LineRef, Math.Min(basisLeft, Math.Round(part.TaxableAmount * share, 6, MidpointRounding.AwayFromZero)),
            Math.Min(taxLeft, Money.RoundToCents(part.TaxAmount * share)), null);
    }
}
