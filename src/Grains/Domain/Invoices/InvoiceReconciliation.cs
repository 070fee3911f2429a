using TenantBilling.Grains.Domain.Stripe;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// Which of the Stripe invoices carrying one invoice key is ours, after a create whose outcome was not
/// known: the one already recorded; else a finalized one (it went out); else the draft furthest along
/// (most lines), the oldest on a tie. Every other draft carrying the key is a stray to delete, so exactly
/// one Stripe invoice per key remains. Void invoices are history, never chosen; other finalized ones are
/// never touched (there should be none: only the chosen invoice is ever finalized).
/// </summary>
public static class InvoiceReconciliation
{
    public sealed record Choice(StripeInvoiceSnapshot? Keep, IReadOnlyList<StripeInvoiceSnapshot> StrayDrafts, IReadOnlyList<StripeInvoiceSnapshot> OtherFinalized);

    public static Choice Choose(string? recordedId, IReadOnlyList<StripeInvoiceSnapshot> carryingKey)
    {
        var live = carryingKey.Where(i => i.Status != "void").ToList();
        var keep = live.FirstOrDefault(i => i.Id == recordedId)
            ?? live.Where(i => i.Status != "draft").OrderBy(i => i.Created).FirstOrDefault()
            ?? live.OrderByDescending(i => i.LineCount).ThenBy(i => i.Created).FirstOrDefault();
        var others = live.Where(i => !ReferenceEquals(i, keep)).ToList();
        return new Choice(keep, others.Where(i => i.Status == "draft").ToList(), others.Where(i => i.Status != "draft").ToList());
    }
}
