namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>How far an invoice has come in Stripe (<see cref="InvoiceLifecycle"/>).</summary>
[GenerateSerializer, Alias("invoice-step")]
public enum InvoiceStep
{
    /// <summary>Handed over; its Stripe customer is not known yet.</summary>
    Accepted,
    /// <summary>The customer exists in the account's Stripe; the invoice is not created yet.</summary>
    CustomerReady,
    /// <summary>A draft carrying the invoice key exists in Stripe, without lines.</summary>
    Created,
    /// <summary>The draft has all its lines.</summary>
    LinesAdded,
    /// <summary>Final in Stripe (numbered, no longer editable); not yet sent or charged.</summary>
    Finalized,
    /// <summary>Sent, charged, or settled by Stripe at finalization.</summary>
    Delivered,
}
