using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Taxes;

/// <summary>
/// Folds per-line taxes into what an invoice shows: one line per tax, jurisdiction and rate, whose
/// basis is the sum of the exact bases. Each invoice tax line is rounded once, from its own basis:
/// rate × taxable amount, or fee × lines, so anyone can check it from what the line shows. (Adding
/// per-line amounts that were each rounded could be a cent off what the line's rate and basis give.)
/// A provider line with neither a rate nor a per-unit fee keeps the provider's amount.
/// </summary>
public static class TaxLineGrouping
{
    /// <summary>Groups in order of first appearance.</summary>
    public static IReadOnlyList<InvoiceTaxLine> Group(IReadOnlyList<TaxLine> lines)
    {
        ArgumentNullException.ThrowIfNull(lines);

        var groups = new List<InvoiceTaxLine>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
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
            }
        }

        for (var i = 0; i < groups.Count; i++)
        {
            var group = groups[i];
            var exact = group switch
            {
                { Rate: { } rate } => rate * group.TaxableAmount,
                { AmountPerUnit: { } perUnit, Units: { } units } => perUnit * units,
                _ => group.TaxAmount,
            };
            groups[i] = group with { TaxAmount = Money.RoundToCents(exact) };
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
