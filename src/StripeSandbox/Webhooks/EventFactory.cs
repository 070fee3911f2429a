using System.Text;
using TenantBilling.StripeSandbox.Json;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Webhooks;

/// <summary>
/// Builds Stripe event JSON (<c>object: "event"</c>, <c>data.object</c> = the object as it is now,
/// <c>account</c> for a connected account) and records it on the account. Call holding the account's lock.
/// </summary>
internal static class EventFactory
{
    public static FakeEvent ForInvoice(
        AccountState account,
        InvoiceRecord invoice,
        string type,
        string apiVersion,
        DateTimeOffset now,
        string? requestId,
        string? idempotencyKey) =>
        For(account, invoice.Id, w => StripeJson.Invoice(w, account, invoice, Expansions.None), type, apiVersion, now, requestId, idempotencyKey);

    public static FakeEvent ForCreditNote(
        AccountState account,
        CreditNoteRecord note,
        string type,
        string apiVersion,
        DateTimeOffset now,
        string? requestId,
        string? idempotencyKey) =>
        For(account, note.Id, w => CreditNoteJson.CreditNote(w, account, note), type, apiVersion, now, requestId, idempotencyKey);

    private static FakeEvent For(
        AccountState account,
        string objectId,
        Action<System.Text.Json.Utf8JsonWriter> writeObject,
        string type,
        string apiVersion,
        DateTimeOffset now,
        string? requestId,
        string? idempotencyKey)
    {
        var id = Ids.New("evt");
        var payload = StripeJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("object", "event");
            if (account.IsConnected)
            {
                w.WriteString("account", account.Id);
            }

            w.WriteString("api_version", apiVersion);
            w.WriteNumber("created", now.ToUnixTimeSeconds());
            w.WriteStartObject("data");
            w.WritePropertyName("object");
            writeObject(w);
            w.WriteEndObject();
            w.WriteBoolean("livemode", false);
            w.WriteNumber("pending_webhooks", 1);
            w.WriteStartObject("request");
            if (requestId is null)
            {
                w.WriteNull("id");
            }
            else
            {
                w.WriteString("id", requestId);
            }

            if (idempotencyKey is null)
            {
                w.WriteNull("idempotency_key");
            }
            else
            {
                w.WriteString("idempotency_key", idempotencyKey);
            }

            w.WriteEndObject();
            w.WriteString("type", type);
            w.WriteEndObject();
        });

        var evt = new FakeEvent(id, type, account.Id, objectId, now, Encoding.UTF8.GetString(payload));
        account.Events.Add(evt);
        return evt;
    }

    /// <summary>
    /// A thin event (<c>object: "v2.core.event"</c>, type such as <c>v1.invoice.paid</c>): the invoice by reference
    /// (<c>related_object</c>), and <c>context</c> naming a connected account. Not recorded with the snapshot events.
    /// </summary>
    public static FakeEvent ThinForInvoice(AccountState account, InvoiceRecord invoice, string type, DateTimeOffset now)
    {
        var id = Ids.New("evt");
        var payload = StripeJson.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("object", "v2.core.event");
            w.WriteString("type", type);
            w.WriteString("created", now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            w.WriteBoolean("livemode", false);
            if (account.IsConnected)
            {
                w.WriteString("context", account.Id);
            }

            w.WriteStartObject("related_object");
            w.WriteString("id", invoice.Id);
            w.WriteString("type", "invoice");
            w.WriteString("url", $"/v1/invoices/{invoice.Id}");
            w.WriteEndObject();
            w.WriteEndObject();
        });

        return new FakeEvent(id, type, account.Id, invoice.Id, now, Encoding.UTF8.GetString(payload));
    }
}
