namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>What a failed request leaves an invoice to do (<see cref="InvoiceLifecycle.Failed"/>).</summary>
public enum FailureOutcome
{
    /// <summary>Transient: tried again (a few quick attempts, then at the retry interval).</summary>
    Retry,
    /// <summary>The account's Stripe is disconnected: the invoice is held until it reconnects.</summary>
    Held,
    /// <summary>Stripe refused a request on our invoice, which may have moved on there: it is read back at once, then the run goes on.</summary>
    ReadBack,
    /// <summary>The invoice failed (or its payment did): it waits for a manual retry.</summary>
    Settled,
}
