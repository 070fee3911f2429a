using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// Stripe charges at most $999,999.99 in one invoice (USD). An invoice over that is refused when it is
/// composed — a one-time invoice with a 422, a monthly one with a visible failed status — never with a
/// Stripe error on the billing day.
/// </summary>
public static class StripeAmountLimits
{
    public const decimal MaxInvoiceTotal = 999_999.99m;

    /// <summary>Why Stripe could not charge the invoice, or null when it can.</summary>
    public static string? Refusal(InvoiceDraft draft) =>
        draft.Total > MaxInvoiceTotal || draft.Lines.Any(l => l.Amount > MaxInvoiceTotal)
            ? $"The invoice total {Money.FromCentsText(Money.ToCents(draft.Total))} is more than Stripe can charge in one invoice ($999,999.99): split it into smaller invoices."
            : null;

    /// <summary>Refuses a one-time invoice Stripe could not charge (422, nothing is sent).</summary>
    public static void EnsureChargeable(InvoiceDraft draft)
    {
        if (Refusal(draft) is { } refusal)
        {
            throw new Interfaces.BillingProblemException(Interfaces.ProblemKind.Unprocessable, refusal);
        }
    }
}
