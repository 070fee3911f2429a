using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// Corrections of one invoice after it went out, keyed like the invoice (<see cref="GrainKeys.MonthlyInvoice"/>
/// or <see cref="GrainKeys.OneTimeInvoice"/>): voiding it while it is open, and credit notes once it is paid.
/// Each reaches the account's Stripe exactly once, under deterministic idempotency keys.
/// </summary>
public interface IInvoiceCorrectionGrain : IGrainWithStringKey
{
    /// <summary>
    /// Voids the open invoice in Stripe and records it as a Stripe <c>invoice.voided</c> would be. Repeating it
    /// answers the void invoice. 409 for a paid invoice (credit it instead) or one that is not open in Stripe.
    /// </summary>
    Task<InvoiceSummary> VoidAsync();

    /// <summary>
    /// Issues a credit note on the paid invoice for whole lines or amounts of them, with the matching share of each
    /// line's taxes, to the customer's balance or refunded. The same request id with the same body answers the same
    /// credit; with another body it is a 409.
    /// </summary>
    Task<CreditResult> CreditAsync(CreditRequest request);

    /// <summary>The credits issued on the invoice, oldest first.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<CreditResult>> ListCreditsAsync();
}
