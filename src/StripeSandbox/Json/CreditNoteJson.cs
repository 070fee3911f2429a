using System.Globalization;
using System.Text.Json;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Json;

/// <summary>Stripe's <c>credit_note</c> and <c>credit_note_line_item</c> shapes.</summary>
internal static class CreditNoteJson
{
    public static void CreditNote(Utf8JsonWriter w, AccountState account, CreditNoteRecord note)
    {
        w.WriteStartObject();
        w.WriteString("id", note.Id);
        w.WriteString("object", "credit_note");
        w.WriteNumber("amount", note.Total);
        w.WriteNumber("amount_shipping", 0);
        w.WriteNumber("created", note.Created.ToUnixTimeSeconds());
        w.WriteString("currency", note.Currency);
        w.WriteString("customer", note.CustomerId);
        w.WriteNull("customer_balance_transaction");
        w.WriteNumber("discount_amount", 0);
        w.WriteStartArray("discount_amounts");
        w.WriteEndArray();
        w.WriteNumber("effective_at", note.Created.ToUnixTimeSeconds());
        w.WriteString("invoice", note.InvoiceId);
        w.WriteStartObject("lines");
        w.WriteString("object", "list");
        w.WriteStartArray("data");
        foreach (var line in note.Lines)
        {
            Line(w, line);
        }

        w.WriteEndArray();
        w.WriteBoolean("has_more", false);
        w.WriteNumber("total_count", note.Lines.Count);
        w.WriteString("url", $"/v1/credit_notes/{note.Id}/lines");
        w.WriteEndObject();
        w.WriteBoolean("livemode", false);
        StripeJson.WriteOptional(w, "memo", note.Memo);
        StripeJson.Metadata(w, note.Metadata);
        w.WriteString("number", note.Number);
        w.WriteNumber("out_of_band_amount", note.OutOfBandAmount);
        w.WriteString("pdf", $"{account.Id}/{note.Id}.pdf");
        w.WriteNumber("post_payment_amount", note.Type == "post_payment" ? note.Total : 0);
        w.WriteNumber("pre_payment_amount", note.Type == "pre_payment" ? note.Total : 0);
        w.WriteStartArray("pretax_credit_amounts");
        w.WriteEndArray();
        StripeJson.WriteOptional(w, "reason", note.Reason);
        w.WriteStartArray("refunds");
        if (note.RefundId is { } refund)
        {
            w.WriteStartObject();
            w.WriteNumber("amount_refunded", note.RefundAmount);
            w.WriteNull("payment_record_refund");
            w.WriteString("refund", refund);
            w.WriteString("type", "refund");
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteNull("shipping_cost");
        w.WriteString("status", note.Status);
        w.WriteNumber("subtotal", note.Subtotal);
        w.WriteNumber("subtotal_excluding_tax", note.Subtotal);
        w.WriteNumber("total", note.Total);
        w.WriteNumber("total_excluding_tax", note.Subtotal);
        w.WriteStartArray("total_taxes");
        foreach (var tax in note.Lines.SelectMany(l => l.Taxes).GroupBy(t => t.TaxRateId))
        {
            StripeJson.Tax(w, new LineTax(tax.Sum(t => t.Amount), tax.Sum(t => t.TaxableAmount), tax.Key, tax.First().Inclusive, tax.First().TaxabilityReason));
        }

        w.WriteEndArray();
        w.WriteString("type", note.Type);
        w.WriteNull("voided_at");
        w.WriteEndObject();
    }

    private static void Line(Utf8JsonWriter w, CreditNoteLineRecord line)
    {
        w.WriteStartObject();
        w.WriteString("id", line.Id);
        w.WriteString("object", "credit_note_line_item");
        w.WriteNumber("amount", line.Amount);
        StripeJson.WriteOptional(w, "description", line.Description);
        w.WriteNumber("discount_amount", 0);
        w.WriteStartArray("discount_amounts");
        w.WriteEndArray();
        StripeJson.WriteOptional(w, "invoice_line_item", line.InvoiceLineId);
        w.WriteBoolean("livemode", false);
        w.WriteStartObject("metadata");
        w.WriteEndObject();
        w.WriteStartArray("pretax_credit_amounts");
        w.WriteEndArray();
        w.WriteNumber("quantity", line.Quantity);
        w.WriteStartArray("tax_rates");
        w.WriteEndArray();
        w.WriteStartArray("taxes");
        foreach (var tax in line.Taxes)
        {
            StripeJson.Tax(w, tax);
        }

        w.WriteEndArray();
        w.WriteString("type", line.Type);
        w.WriteNumber("unit_amount", (long)line.UnitAmountDecimal);
        w.WriteString("unit_amount_decimal", line.UnitAmountDecimal.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
    }
}
