namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// What one activation of an invoice knows beyond its record: whether Stripe may be ahead of it, and whether
/// the customer's invoices were listed since the last create that could have made one. The record is
/// written at the hand-over and when the invoice is done (or fails), not after each step, so an activation
/// that did not see the steps since the last write reads Stripe first (<see cref="Resumed"/>).
/// </summary>
public sealed class InvoiceRun
{
    /// <summary>Stripe may hold effects of our requests that the record does not show: read Stripe before the next step.</summary>
    public bool StripeMayBeAhead { get; set; }

    /// <summary>No create that could have made an invoice was sent since the customer's invoices were last listed (or since the hand-over).</summary>
    public bool ListedSinceLastCreate { get; set; }

    /// <summary>
    /// No send that could have e-mailed the invoice went out since Stripe's <c>invoice.sent</c> events were last
    /// looked through (or since the hand-over).
    /// </summary>
    public bool CheckedSinceLastSend { get; set; }

    /// <summary>
    /// The step at which a refusal from Stripe was last answered by reading the invoice back (null: none yet), so
    /// a step refused again after the read fails instead of reading forever.
    /// </summary>
    public InvoiceStep? RefusalReadBackAt { get; set; }

    /// <summary>Whether the customer has a card to charge, as the customer grain last said (null: not known).</summary>
    public bool? CustomerHasSavedCard { get; set; }

    /// <summary>The activation that took the hand-over: it has seen everything since the record was written.</summary>
    public static InvoiceRun HandedOver() => new() { StripeMayBeAhead = false, ListedSinceLastCreate = true, CheckedSinceLastSend = true };

    /// <summary>An activation that found the record as stored: unfinished Stripe work may have gone further than the record.</summary>
    public static InvoiceRun Resumed(IInvoiceProgress invoice) =>
        new() { StripeMayBeAhead = InvoiceLifecycle.InStripeWork(invoice), ListedSinceLastCreate = false, CheckedSinceLastSend = false };
}
