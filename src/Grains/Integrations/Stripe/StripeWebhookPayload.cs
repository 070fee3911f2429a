using System.Text.Json;
using global::Stripe;
using global::Stripe.Events;
using global::Stripe.V2.Core;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>The two shapes a signed Stripe webhook body comes in.</summary>
public enum StripeWebhookShape
{
    /// <summary>Not a Stripe event at all (malformed JSON, or another object).</summary>
    Malformed,
    /// <summary>A snapshot event (<c>object: event</c>): the invoice as it was, inside the event.</summary>
    Snapshot,
    /// <summary>A thin event (<c>object: v2.core.event</c>): the invoice by reference, to be read from Stripe.</summary>
    Thin,
}

/// <summary>A thin event about one invoice: its id, our name for its type, the invoice, and the Connect account it came from.</summary>
public sealed record ThinInvoiceEvent(string EventId, string Type, string StripeInvoiceId, string? StripeAccountId);

/// <summary>Reads a webhook body whose signature was already checked. Stripe.net 53 parses thin events (<see cref="StripeClient.ParseEventNotificationWithoutVerification"/>).</summary>
public static class StripeWebhookPayload
{
    // Parsing needs a client but makes no request with it.
    private static readonly StripeClient Parser = new("sk_test_parse_only");

    public static StripeWebhookShape ShapeOf(string payload)
    {
        try
        {
            using var document = JsonDocument.Parse(payload);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("object", out var kind)
                ? kind.ValueKind == JsonValueKind.String ? kind.GetString() switch
                {
                    "event" => StripeWebhookShape.Snapshot,
                    "v2.core.event" => StripeWebhookShape.Thin,
                    _ => StripeWebhookShape.Malformed,
                } : StripeWebhookShape.Malformed
                : StripeWebhookShape.Malformed;
        }
        catch (JsonException)
        {
            return StripeWebhookShape.Malformed;
        }
    }

    /// <summary>The snapshot event, or null when the body does not read as one.</summary>
    public static global::Stripe.Event? Snapshot(string payload)
    {
        try
        {
            return EventUtility.ParseEvent(payload, throwOnApiVersionMismatch: false);
        }
        catch (Exception exception) when (exception is Newtonsoft.Json.JsonException or JsonException or ArgumentException or FormatException or InvalidCastException)
        {
            return null;
        }
    }

    /// <summary>
    /// The thin event about an invoice we act on (paid, payment failed, voided, marked uncollectible,
    /// finalized), as the snapshot type we apply; null for any other thin event or an unreadable body.
    /// </summary>
    public static ThinInvoiceEvent? ThinInvoice(string payload)
    {
        EventNotification notification;
        try
        {
            notification = Parser.ParseEventNotificationWithoutVerification(payload);
        }
        catch (Exception exception) when (exception is Newtonsoft.Json.JsonException or JsonException or ArgumentException or FormatException or InvalidCastException)
        {
            return null;
        }

        var (type, related) = notification switch
        {
            V1InvoicePaidEventNotification e => ("invoice.paid", e.RelatedObject),
            V1InvoicePaymentFailedEventNotification e => ("invoice.payment_failed", e.RelatedObject),
            V1InvoiceVoidedEventNotification e => ("invoice.voided", e.RelatedObject),
            V1InvoiceMarkedUncollectibleEventNotification e => ("invoice.marked_uncollectible", e.RelatedObject),
            V1InvoiceFinalizedEventNotification e => ("invoice.finalized", e.RelatedObject),
            _ => (null, null),
        };
        var context = notification.Context?.ToString();
        return type is not null && related is { Type: "invoice", Id: { Length: > 0 } invoiceId } && notification.Id is { Length: > 0 } id
            ? new ThinInvoiceEvent(id, type, invoiceId, string.IsNullOrEmpty(context) ? null : context)
            : null;
    }
}
