using TenantBilling.Grains.Domain.Stripe;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// The idempotency key of each of an invoice's Stripe requests (<see cref="StripeIdempotencyKeys"/>): the
/// invoice key and the step, the retry round and the attempt, and a fingerprint of whatever the body depends
/// on that can change between attempts, so the same request always has the same key and a key never meets
/// another body.
/// </summary>
public static class InvoiceKeys
{
    /// <summary>The create: its body depends on the customer, how it is collected, the days until due and whether the answer includes the customer.</summary>
    public static string Create(string invoiceKey, IInvoiceProgress invoice, string collectionMethod, int daysUntilDue, bool readCustomer) =>
        For(invoiceKey, "create", invoice, invoice.CustomerId, collectionMethod, collectionMethod == InvoiceLifecycle.SendInvoice ? daysUntilDue : null, readCustomer);

    /// <summary>The switch of an auto-charge draft to be emailed, due in <paramref name="daysUntilDue"/> days.</summary>
    public static string SwitchToEmail(string invoiceKey, IInvoiceProgress invoice, int daysUntilDue) => For(invoiceKey, "send-by-email", invoice, daysUntilDue);

    /// <summary>Every line at once: the draft's lines, fixed at the hand-over.</summary>
    public static string AddLines(string invoiceKey, IInvoiceProgress invoice) => For(invoiceKey, "lines", invoice);

    public static string Finalize(string invoiceKey, IInvoiceProgress invoice) => For(invoiceKey, "finalize", invoice);

    public static string Send(string invoiceKey, IInvoiceProgress invoice) => For(invoiceKey, "send", invoice);

    public static string Pay(string invoiceKey, IInvoiceProgress invoice) => For(invoiceKey, "pay", invoice);

    private static string For(string invoiceKey, string step, IInvoiceProgress invoice, params object?[] bodyDependsOn) =>
        StripeIdempotencyKeys.For(
            invoiceKey, step, invoice.RetryRound, invoice.Attempt, bodyDependsOn.Length == 0 ? null : StripeIdempotencyKeys.Fingerprint(bodyDependsOn));
}
