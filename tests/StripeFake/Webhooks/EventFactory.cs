using System.Text;
using TenantBilling.StripeFake.Json;
using TenantBilling.StripeFake.State;

namespace TenantBilling.StripeFake.Webhooks;

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
            StripeJson.Invoice(w, account, invoice, Expansions.None);
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

        var evt = new FakeEvent(id, type, account.Id, invoice.Id, now, Encoding.UTF8.GetString(payload));
        account.Events.Add(evt);
        return evt;
    }
}
