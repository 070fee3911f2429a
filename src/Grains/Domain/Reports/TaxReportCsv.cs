using System.Globalization;
using System.Text;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Reports;

/// <summary>
/// The monthly tax report as CSV (RFC 4180, comma, CRLF, UTF-8, one header row): a <c>tax</c> row for
/// every tax line of every invoice finalized in the month (invoices voided while the month was open left
/// out), an <c>adjustment</c> row for every tax given back in the month on an earlier invoice (a void after
/// its month closed, or a credit note; negative amounts, naming the original invoice; see
/// <see cref="TaxAdjustments"/>), then a <c>total</c> row per jurisdiction and tax whose amounts are the net
/// sums of those rows. Columns are documented in docs/tax-report.md; amounts are dollars with two decimals,
/// rates are fractions.
/// </summary>
public static class TaxReportCsv
{
    public static readonly string[] Columns =
    [
        "record_type", "invoice_number", "stripe_invoice_id", "tenant_id", "invoice_date", "level", "jurisdiction_code",
        "tax_code", "tax_name", "taxable_amount", "rate", "amount_per_unit", "units", "tax_amount",
        "adjustment_type", "adjustment_date", "credit_note_number",
    ];

    public static string Write(IEnumerable<TaxReportEntry> entries)
    {
        var csv = new StringBuilder();
        Row(csv, Columns);
        var all = entries.ToList();
        var sent = all.Where(e => e.Adjustment is null && !e.Voided).OrderBy(e => e.InvoiceDate).ThenBy(e => e.InvoiceKey, StringComparer.Ordinal).ToList();
        var adjustments = all.Where(e => e.Adjustment is not null).OrderBy(e => e.Adjustment!.At).ThenBy(e => e.RecordKey, StringComparer.Ordinal).ToList();
        foreach (var entry in sent.Concat(adjustments))
        {
            foreach (var tax in entry.Taxes)
            {
                Row(csv, [
                    entry.Adjustment is null ? "tax" : "adjustment", entry.InvoiceNumber ?? string.Empty, entry.StripeInvoiceId, entry.TenantId,
                    Day(entry.InvoiceDate),
                    Level(tax.Level), tax.JurisdictionCode, tax.TaxCode, tax.Name, Amount(tax.TaxableAmount),
                    Rate(tax.Rate), tax.AmountPerUnit is { } perUnit ? Amount(perUnit) : string.Empty,
                    tax.Units is { } units ? units.ToString(CultureInfo.InvariantCulture) : string.Empty, Amount(tax.TaxAmount),
                    entry.Adjustment?.Kind.ToString().ToLowerInvariant() ?? string.Empty,
                    entry.Adjustment is { } adjustment ? Day(adjustment.At) : string.Empty,
                    entry.Adjustment?.CreditNoteNumber ?? string.Empty,
                ]);
            }
        }

        var totals = sent.Concat(adjustments).SelectMany(e => e.Taxes)
            .GroupBy(t => (t.Level, t.JurisdictionCode, t.TaxCode))
            .OrderBy(g => g.Key.Level).ThenBy(g => g.Key.JurisdictionCode, StringComparer.Ordinal).ThenBy(g => g.Key.TaxCode, StringComparer.Ordinal);
        foreach (var total in totals)
        {
            var units = total.Sum(t => t.Units ?? 0m);
            Row(csv, [
                "total", string.Empty, string.Empty, string.Empty, string.Empty, Level(total.Key.Level), total.Key.JurisdictionCode,
                total.Key.TaxCode, total.First().Name, Amount(total.Sum(t => t.TaxableAmount)), string.Empty, string.Empty,
                units == 0 ? string.Empty : units.ToString(CultureInfo.InvariantCulture), Amount(total.Sum(t => t.TaxAmount)),
                string.Empty, string.Empty, string.Empty,
            ]);
        }

        return csv.ToString();
    }

    private static string Day(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static string Level(TaxLevel level) => level.ToString().ToLowerInvariant();

    private static string Amount(decimal value) => value.ToString("0.00####", CultureInfo.InvariantCulture);

    private static string Rate(decimal? rate) => rate?.ToString("0.########", CultureInfo.InvariantCulture) ?? string.Empty;

    private static void Row(StringBuilder csv, string[] fields)
    {
        for (var i = 0; i < fields.Length; i++)
        {
            if (i > 0)
            {
                csv.Append(',');
            }

            var field = fields[i];
            csv.Append(field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field);
        }

        csv.Append("\r\n");
    }
}
