using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Taxes;

/// <summary>
/// Folds per-line taxes into what an invoice shows: one line per tax, jurisdiction and rate, whose
/// basis (taxable amount, or lines) is the sum of the exact per-line bases and whose amount is the sum
/// of the per-line taxes, each rounded once to cents by the provider from its own line's basis. Every
/// invoice tax line keeps its parts: that is what each invoice line carries in Stripe as its tax amount,
/// so Stripe's taxes, our invoice and the tax report add up to the same cents by construction. (The
/// price: an invoice tax line can differ from its rate × its summed basis by up to half a cent per
/// invoice line; each part can be checked by hand from its own line.)
/// </summary>
public static class TaxLineGrouping
{
    /// <summary>Groups in order of first appearance; parts follow the order of the provider's lines.</summary>
    public static IReadOnlyList<InvoiceTaxLine> Group(IReadOnlyList<TaxLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);

        var groups = new List<InvoiceTaxLine>();
        var parts = new List<List<InvoiceTaxPart>>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var part = new InvoiceTaxPart(line.LineRef, line.TaxableAmount, line.Units, line.TaxAmount);
            var at = IndexOf(groups, line);
            if (at < 0)
            {
                groups.Add(new InvoiceTaxLine(
                    line.TaxCode,
                    line.Name,
                    line.Level,
                    line.Class,
                    line.JurisdictionCode,
                    line.Rate,
                    line.AmountPerUnit,
                    line.TaxableAmount,
                    line.Units,
                    line.TaxAmount));
                parts.Add([part]);
            }
            else
            {
                var group = groups[at];
                groups[at] = group with
                {
                    TaxableAmount = group.TaxableAmount + line.TaxableAmount,
                    Units = group.Units is null && line.Units is null ? null : (group.Units ?? 0m) + (line.Units ?? 0m),
                    TaxAmount = group.TaxAmount + line.TaxAmount,
                };
                parts[at].Add(part);
            }
        }

        for (var i = 0; i < groups.Count; i++)
        {
            groups[i] = groups[i] with { Parts = parts[i] };
        }

        return groups;
    }

    private static int IndexOf(List<InvoiceTaxLine> groups, TaxLine line)
    {
        for (var i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            if (string.Equals(group.TaxCode, line.TaxCode, StringComparison.Ordinal)
                && string.Equals(group.JurisdictionCode, line.JurisdictionCode, StringComparison.Ordinal)
                && group.Level == line.Level
                && group.Rate == line.Rate
                && group.AmountPerUnit == line.AmountPerUnit)
            {
                return i;
            }
        }

        return -1;
    }
}
