using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Reports;

/// <summary>
/// Taxes given back after an invoice went out. A month's report never changes once the month has closed (the
/// account may have remitted it): a void while the invoice's month is still open leaves its taxes out of that
/// month, a void later gives them all back in the month of the void, and a credit note gives back its share in
/// the month it was issued — each as an adjustment entry with negative amounts that names the original invoice.
/// </summary>
public static class TaxAdjustments
{
    /// <summary>The ledger month is over at <paramref name="now"/>: its report is final.</summary>
    public static bool MonthClosed(BillingPeriod month, DateTimeOffset now) => month.IsClosedAt(now);

    /// <summary>Every tax of the invoice given back, dated <paramref name="at"/>.</summary>
    public static TaxReportEntry Void(TaxReportEntry original, DateTimeOffset at) =>
        Adjust(original, original.Taxes, new TaxAdjustment(TaxAdjustmentKind.Void, "void", at));

    /// <summary>The taxes a credit note gave back (positive amounts as credited), dated <paramref name="at"/>.</summary>
    public static TaxReportEntry Credit(TaxReportEntry original, IReadOnlyList<InvoiceTaxLine> credited, string requestId, string? creditNoteNumber, DateTimeOffset at) =>
        Adjust(original, credited, new TaxAdjustment(TaxAdjustmentKind.Credit, requestId, at, creditNoteNumber));

    private static TaxReportEntry Adjust(TaxReportEntry original, IReadOnlyList<InvoiceTaxLine> taxes, TaxAdjustment adjustment) =>
        original with
        {
            Taxes = taxes.Select(Negate).ToList(),
            Voided = false,
            Adjustment = adjustment,
        };

    private static InvoiceTaxLine Negate(InvoiceTaxLine tax) => tax with
    {
        TaxableAmount = -tax.TaxableAmount,
        Units = -tax.Units,
        TaxAmount = -tax.TaxAmount,
        Parts = tax.Parts?.Select(p => p with { TaxableAmount = -p.TaxableAmount, Units = -p.Units, TaxAmount = -p.TaxAmount }).ToList(),
    };
}
