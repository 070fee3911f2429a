using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// What a Stripe webhook event does to an invoice, by event type and the invoice's status. An event applies
/// only to the invoice it names (its Stripe id), coming from the Stripe the invoice lives in, once per event
/// id. Events arrive out of order and more than once: a payment is never undone by a later failure, a void is
/// final, and the amount paid only grows.
/// </summary>
public static class InvoiceWebhooks
{
    /// <summary>The event types applied; any other is not ours to act on.</summary>
    public static readonly IReadOnlyList<string> Types = ["invoice.paid", "invoice.payment_failed", "invoice.voided", "invoice.marked_uncollectible", "invoice.finalized"];

    /// <summary>What applying an event did: whether it applied, and whether the invoice's taxes leave the tax report.</summary>
    public readonly record struct Result(bool Applied, bool VoidTaxes)
    {
        public static readonly Result NotApplied = new(false, false);
    }

    /// <summary>The Stripe an event came from is the invoice's: its Connect account, or (no account named) the account's own key.</summary>
    public static bool FromItsStripe(IInvoiceProgress invoice, string? eventStripeAccountId) =>
        eventStripeAccountId is { } connected
            ? invoice.StripeIdentity == $"connect:{connected}"
            : invoice.StripeIdentity?.StartsWith("key:", StringComparison.Ordinal) == true;

    /// <summary>The status an event of <paramref name="type"/> leaves an invoice in that is <paramref name="current"/>; null for a type we don't apply.</summary>
    public static InvoiceStatus? StatusAfter(string type, InvoiceStatus current)
    {
        var settled = current is InvoiceStatus.Paid or InvoiceStatus.Void;
        return type switch
        {
            "invoice.paid" => current == InvoiceStatus.Void ? current : InvoiceStatus.Paid,
            "invoice.payment_failed" => settled ? current : InvoiceStatus.PaymentFailed,
            "invoice.voided" => InvoiceStatus.Void,
            "invoice.marked_uncollectible" => settled ? current : InvoiceStatus.Uncollectible,
            "invoice.finalized" => current,
            _ => null,
        };
    }

    /// <summary>Applies the event to the record (the caller writes it when it applied).</summary>
    public static Result Apply(IInvoiceProgress invoice, StripeInvoiceEvent stripeEvent, DateTimeOffset now)
    {
        if (invoice.Draft is null || !FromItsStripe(invoice, stripeEvent.StripeAccountId) || stripeEvent.StripeInvoiceId != invoice.StripeInvoiceId
            || invoice.AppliedEventIds.Contains(stripeEvent.EventId) || StatusAfter(stripeEvent.Type, invoice.Status) is not { } status)
        {
            return Result.NotApplied;
        }

        var voidTaxes = status == InvoiceStatus.Void && invoice.Status != InvoiceStatus.Void;
        if (status == InvoiceStatus.PaymentFailed)
        {
            invoice.FailureReason = stripeEvent.FailureMessage ?? "The payment failed.";
        }

        invoice.Status = status;
        invoice.Number ??= stripeEvent.Number;
        invoice.HostedInvoiceUrl ??= stripeEvent.HostedInvoiceUrl;
        invoice.AmountDueCents = stripeEvent.AmountDueCents;
        invoice.AmountPaidCents = Math.Max(invoice.AmountPaidCents ?? 0, stripeEvent.AmountPaidCents);
        invoice.AppliedEventIds.Add(stripeEvent.EventId);
        if (invoice.AppliedEventIds.Count > InvoiceLifecycle.EventIdsKept)
        {
            invoice.AppliedEventIds.RemoveAt(0);
        }

        invoice.UpdatedAt = now;
        return new Result(true, voidTaxes);
    }
}
