using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Corrections;

/// <summary>
/// A month invoiced again after its invoice was voided. The revision is a new Stripe invoice under its own key
/// (<see cref="GrainKeys.MonthlyInvoice(string, string, string, int)"/>), whose description names the invoice it
/// corrects, so the tenant sees it as the corrected invoice; the voided one stays void in Stripe and in our history.
/// The phantom fee is one per tenant and month however many revisions: a revision costs it only when no earlier
/// invoice of the month did.
/// </summary>
public static class MonthRevisions
{
    /// <summary>A composed month as revision <paramref name="number"/> of it, replacing the voided <paramref name="previous"/> (whose Stripe number is <paramref name="previousNumber"/>).</summary>
    public static InvoiceDraft Revise(InvoiceDraft composed, int number, InvoiceDraft previous, string? previousNumber)
    {
        if (composed.Period is not { } period || number < 1)
        {
            throw new ArgumentException("Only a month's invoice is revised, from revision 1 on.", nameof(number));
        }

        return composed with
        {
            InvoiceKey = GrainKeys.MonthlyInvoice(composed.AccountId, composed.TenantId, period, number),
            Description = previousNumber is null ? $"{composed.Description} (corrected invoice)" : $"{composed.Description} (corrects invoice {previousNumber})",
            Revision = new InvoiceRevision(number, previous.InvoiceKey, previousNumber, FeeCharged: CostsFee(previous) || previous.Revision?.FeeCharged == true),
        };
    }

    /// <summary>Whether finalizing the invoice costs the account the phantom fee: a phantom tenant's invoice, unless an earlier invoice of its month already did.</summary>
    public static bool CostsFee(InvoiceDraft draft) => PhantomFees.Applies(draft.UsageTotal) && draft.Revision?.FeeCharged != true;
}
