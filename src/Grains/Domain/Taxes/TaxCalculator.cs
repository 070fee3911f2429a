using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Taxes;

/// <summary>
/// Rates an invoice from a rate table. What it charges, and only this:
/// <list type="bullet">
/// <item>Federal USF: the quarter's factor × the interstate share (VoIP safe harbour) of every telecom line.</item>
/// <item>State 911: the state's flat fee × lines for categories that count as lines, or the state's
/// percentage × the intrastate share (1 − safe harbour) of every telecom line.</item>
/// <item>State sales tax: the state rate × every telecom line, only where the table finds VoIP taxable.</item>
/// </list>
/// Non-telecom lines and lines sold for resale get nothing. Each tax line is rounded once to cents.
/// </summary>
public static class TaxCalculator
{
    private const string Federal = "US";

    /// <summary>One tax line per invoice line and tax due, in request line order.</summary>
    /// <exception cref="InvalidOperationException">A tax that needs the interstate share is in force but no safe harbour is.</exception>
    public static IReadOnlyList<TaxLine> Calculate(TaxRateTable table, TaxRequest request)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(request);

        var date = request.InvoiceDate;
        var state = request.Jurisdiction.State;
        var exemptions = request.Exemptions;

        var usf = exemptions.Federal ? null : InForce(table.Find(TaxTableCode.Fusf, Federal, date));
        var e911 = exemptions.StateLocal ? null : InForce(table.Find(TaxTableCode.E911Voip, state, date));
        var sales = exemptions.Sales ? null : SalesTaxOnVoip(table, state, date);
        if (usf is null && e911 is null && sales is null)
        {
            return [];
        }

        var interstateShare = 0m;
        if (usf is not null || e911?.BasisKind == TaxRowBasis.PercentOfIntrastateCharges)
        {
            interstateShare = table.Find(TaxTableCode.FusfVoipSafeHarbor, Federal, date)?.Rate
                ?? throw new InvalidOperationException(
                    $"Tax table '{table.Source}' has no VoIP safe harbour in force on {date:yyyy-MM-dd}, so interstate and intrastate shares cannot be found.");
        }

        var intrastateShare = 1m - interstateShare;
        var lines = request.Lines;
        var taxes = new List<TaxLine>(lines.Count * 3);
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (!TaxCategories.IsTelecom(line.Category) || line.SaleType == TaxSaleType.Resale)
            {
                continue;
            }

            if (usf is not null && line.Amount != 0m)
            {
                taxes.Add(Rated(line, usf, line.Amount * interstateShare));
            }

            if (e911 is not null)
            {
                if (e911.BasisKind == TaxRowBasis.PerLinePerMonth)
                {
                    if (TaxCategories.CountsAsLines(line.Category) && line.Lines != 0m)
                    {
                        taxes.Add(PerUnit(line, e911, line.Lines));
                    }
                }
                else if (line.Amount != 0m)
                {
                    taxes.Add(Rated(line, e911, line.Amount * intrastateShare));
                }
            }

            if (sales is not null && line.Amount != 0m)
            {
                taxes.Add(Rated(line, sales, line.Amount));
            }
        }

        return taxes;
    }

    private static TaxRateRow? SalesTaxOnVoip(TaxRateTable table, string state, DateOnly date) =>
        table.Find(TaxTableCode.StateVoipTaxability, state, date)?.SalesTaxable == true
            ? InForce(table.Find(TaxTableCode.StateSales, state, date))
            : null;

    // A zero figure charges nothing, so it yields no line rather than a column of 0.00 taxes.
    private static TaxRateRow? InForce(TaxRateRow? row) =>
        row is null || (row.Rate ?? row.AmountPerUnit ?? 0m) == 0m ? null : row;

    private static TaxLine Rated(TaxRequestLine line, TaxRateRow row, decimal taxable) =>
        new(
            line.LineRef,
            row.CodeText,
            row.InvoiceName,
            row.Level,
            row.Class,
            row.JurisdictionCode,
            row.Rate,
            null,
            taxable,
            null,
            Money.RoundToCents(taxable * row.Rate!.Value));

    private static TaxLine PerUnit(TaxRequestLine line, TaxRateRow row, decimal units) =>
        new(
            line.LineRef,
            row.CodeText,
            row.InvoiceName,
            row.Level,
            row.Class,
            row.JurisdictionCode,
            null,
            row.AmountPerUnit,
            line.Amount,
            units,
            Money.RoundToCents(units * row.AmountPerUnit!.Value));
}
