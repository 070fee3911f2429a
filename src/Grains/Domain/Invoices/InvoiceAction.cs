namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>The next thing an invoice needs done (<see cref="InvoiceLifecycle.Next"/>); each but the first three is one Stripe request or one grain call.</summary>
public enum InvoiceAction
{
    /// <summary>Nothing is left to do.</summary>
    Done,
    /// <summary>The account connected another Stripe before the invoice was final: start over there (<see cref="InvoiceLifecycle.StartOver"/>).</summary>
    StartOver,
    /// <summary>The account connected another Stripe after the invoice was final in the previous one: it fails.</summary>
    FailInOtherStripe,
    /// <summary>Read the recorded Stripe invoice (<c>GET /v1/invoices/{id}</c>).</summary>
    ReadInvoice,
    /// <summary>List the customer's invoices carrying the key: ours is kept, stray drafts deleted (<see cref="InvoiceReconciliation"/>).</summary>
    ListInvoices,
    /// <summary>The tenant's Stripe customer, created or updated first when needed.</summary>
    EnsureCustomer,
    /// <summary>Create the draft (<c>POST /v1/invoices</c>).</summary>
    CreateInvoice,
    /// <summary>An auto-charge draft whose customer has no card is switched to be emailed for payment.</summary>
    SwitchToEmail,
    /// <summary>Add every line in one request.</summary>
    AddLines,
    /// <summary>Stripe's draft does not total what we composed: delete it and fail with the reason.</summary>
    DiscardDraft,
    Finalize,
    /// <summary>
    /// A send may have gone out without its answer: look through Stripe's <c>invoice.sent</c> events since the
    /// invoice was finalized for ours (<c>GET /v1/events</c>) before sending again.
    /// </summary>
    FindSent,
    /// <summary>Email the invoice.</summary>
    Send,
    /// <summary>Charge the saved card.</summary>
    Pay,
    /// <summary>Record the phantom fee and the taxes in the ledger of the month it was finalized.</summary>
    RecordInLedger,
    /// <summary>Commit the sent invoice's taxes with the tax provider.</summary>
    CommitTaxes,
}
