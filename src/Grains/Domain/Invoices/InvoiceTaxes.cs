using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>How a composed invoice is put to the tax provider: one request line per invoice line.</summary>
public static class InvoiceTaxes
{
    public static TaxRequest RequestFor(InvoiceDraft draft, Jurisdiction jurisdiction, TaxExemptions exemptions) => new(
        draft.InvoiceKey,
        DateOnly.FromDateTime(draft.InvoiceDate.UtcDateTime),
        jurisdiction,
        exemptions,
        draft.Lines.Select(line => TaxRequestLine.For(line.LineRef, line.TaxCategory, line.Quantity, line.Amount)).ToList());
}
