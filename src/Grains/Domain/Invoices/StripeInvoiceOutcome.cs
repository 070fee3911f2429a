using TenantBilling.Grains.Interfaces.Models;

using TenantBilling.Grains.Domain.Stripe;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>What Stripe's answers mean for our invoice status, in one place.</summary>
public static class StripeInvoiceOutcome
{
    /// <summary>
    /// After finalizing: whether the invoice still has to be charged. Stripe marks an invoice paid at
    /// finalization when nothing is due (the customer's credit covered it) or when what is due is under its
    /// minimum charge ($0.50) — paying it again would be refused, and must never be tried.
    /// </summary>
    public static bool NeedsCharge(StripeInvoiceSnapshot finalized) => finalized.Status == "open";

    /// <summary>Our status once the invoice was sent or charged: Stripe's <c>paid</c> is paid; any other open invoice is sent.</summary>
    public static InvoiceStatus AfterDelivery(StripeInvoiceSnapshot delivered) => delivered.Status switch
    {
        "paid" => InvoiceStatus.Paid,
        "void" => InvoiceStatus.Void,
        "uncollectible" => InvoiceStatus.Uncollectible,
        _ => InvoiceStatus.Sent,
    };

    /// <summary>
    /// Read back after a charge whose answer was lost: the invoice is still open and Stripe counts more charge
    /// attempts than before it, so the charge ran and failed (a decline). Charging again would hit the card twice.
    /// </summary>
    public static bool ChargeFailedUnseen(StripeInvoiceSnapshot invoice, long attemptsBefore) =>
        invoice.Status == "open" && invoice.AttemptCount > attemptsBefore;

    /// <summary>Why Stripe marked an invoice paid that nobody paid, for the account to see; null when it was simply paid.</summary>
    public static string? PaidWithoutCharge(StripeInvoiceSnapshot invoice)
    {
        if (invoice.Status != "paid" || invoice.AmountPaid > 0 || invoice.Total <= 0)
        {
            return null;
        }

        // Credit only ever brings the balance up to zero; a balance owed afterwards is what Stripe carried forward.
        return invoice.EndingBalance is > 0 and var owed
            ? $"Under Stripe's $0.50 minimum charge: Stripe marked it paid and carries {Money.FromCentsText(owed)} to the customer's next invoice."
            : "Paid from the customer's credit balance in Stripe.";
    }
}
