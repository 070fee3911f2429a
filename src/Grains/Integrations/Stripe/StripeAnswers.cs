using System.Buffers;
using System.Text;
using System.Text.Json;
using TenantBilling.Grains.Domain.Stripe;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// Reads Stripe's answers for only the fields the pipeline keeps, in one forward pass over the JSON,
/// skipping the rest, instead of building Stripe.net's object model of the whole answer. Each reader gives
/// what Stripe.net's object would have given for the same field: a missing or null number is 0 (a nullable
/// one null), an expandable field is read as an id whether Stripe sent the id or the object, and an
/// invoice's <c>customer</c> is known only when the answer includes the object. An answer that is not the
/// JSON we expect is a <see cref="StripeCallException"/>.
/// </summary>
public static class StripeAnswers
{
    public static StripeInvoiceSnapshot Invoice(string json) => Read(json, static (ref Utf8JsonReader reader, string? _) => ReadInvoice(ref reader), null);

    public static StripeCustomerSnapshot Customer(string json) => Read(json, static (ref Utf8JsonReader reader, string? _) => ReadCustomer(ref reader).Snapshot, null);

    public static StripeAccountInfo Account(string json) => Read(json, static (ref Utf8JsonReader reader, string? _) => ReadAccount(ref reader), null);

    /// <summary>A page of invoices: those carrying <paramref name="invoiceKey"/> in their metadata, whether more follow, and the last invoice's id.</summary>
    public static Page<StripeInvoiceSnapshot> InvoicesWithKey(string json, string invoiceKey) =>
        Read(json, static (ref Utf8JsonReader reader, string? key) => ReadList(ref reader, key!, static (ref Utf8JsonReader item, string wanted) =>
        {
            var invoice = ReadInvoice(ref item);
            return (invoice.Id, invoice.InvoiceKey == wanted ? invoice : null);
        }), invoiceKey);

    /// <summary>A page of customers: the id of those carrying <paramref name="tenantKey"/> in their metadata, whether more follow, and the last customer's id.</summary>
    public static Page<string> CustomersWithKey(string json, string tenantKey) =>
        Read(json, static (ref Utf8JsonReader reader, string? key) => ReadList(ref reader, key!, static (ref Utf8JsonReader item, string wanted) =>
        {
            var customer = ReadCustomer(ref item);
            return (customer.Snapshot.Id, customer.TenantKey == wanted ? customer.Snapshot.Id : null);
        }), tenantKey);

    /// <summary>A page of events: the ids of those whose object is the invoice <paramref name="invoiceId"/>, whether more follow, and the last event's id.</summary>
    public static Page<string> EventsForInvoice(string json, string invoiceId) =>
        Read(json, static (ref Utf8JsonReader reader, string? id) => ReadList(ref reader, id!, static (ref Utf8JsonReader item, string wanted) =>
        {
            var (eventId, objectType, objectId) = ReadEvent(ref item);
            return (eventId, objectType == "invoice" && objectId == wanted ? eventId : null);
        }), invoiceId);

    /// <summary>One page of a list: the items that matched, whether Stripe has more, and the id of the page's last item (the next page's cursor).</summary>
    public sealed record Page<T>(IReadOnlyList<T> Matches, bool HasMore, string? LastId)
        where T : class;

    private delegate T Reader<T>(ref Utf8JsonReader reader, string? argument);

    private delegate (string? Id, T? Match) ItemReader<T>(ref Utf8JsonReader reader, string argument)
        where T : class;

    private static T Read<T>(string json, Reader<T> read, string? argument)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            var length = Encoding.UTF8.GetBytes(json, buffer);
            var reader = new Utf8JsonReader(buffer.AsSpan(0, length));
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new JsonException("Not a JSON object.");
            }

            return read(ref reader, argument);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            // As Stripe.net treats an answer it cannot read: a refusal that repeating will not change.
            throw new StripeCallException(StripeFailureKind.Permanent, $"Stripe's answer could not be read ({e.GetType().Name}).");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static StripeInvoiceSnapshot ReadInvoice(ref Utf8JsonReader reader)
    {
        string? id = null, status = null, number = null, hostedUrl = null, collectionMethod = null, invoiceKey = null, currency = null;
        long total = 0, amountDue = 0, amountPaid = 0, subtotal = 0, totalTaxes = 0, startingBalance = 0, attemptCount = 0;
        long? endingBalance = null;
        var lineCount = 0;
        bool? hasSavedCard = null;
        DateTimeOffset created = DateTimeOffset.UnixEpoch;
        DateTimeOffset? finalizedAt = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8)) { id = String(ref reader); }
            else if (reader.ValueTextEquals("status"u8)) { status = String(ref reader); }
            else if (reader.ValueTextEquals("number"u8)) { number = String(ref reader); }
            else if (reader.ValueTextEquals("total"u8)) { total = Long(ref reader) ?? 0; }
            else if (reader.ValueTextEquals("amount_due"u8)) { amountDue = Long(ref reader) ?? 0; }
            else if (reader.ValueTextEquals("amount_paid"u8)) { amountPaid = Long(ref reader) ?? 0; }
            else if (reader.ValueTextEquals("hosted_invoice_url"u8)) { hostedUrl = String(ref reader); }
            else if (reader.ValueTextEquals("lines"u8)) { lineCount = CountListData(ref reader); }
            else if (reader.ValueTextEquals("collection_method"u8)) { collectionMethod = String(ref reader); }
            else if (reader.ValueTextEquals("customer"u8)) { hasSavedCard = ExpandedCustomerHasSavedCard(ref reader); }
            else if (reader.ValueTextEquals("subtotal"u8)) { subtotal = Long(ref reader) ?? 0; }
            else if (reader.ValueTextEquals("total_taxes"u8)) { totalTaxes = SumAmounts(ref reader); }
            else if (reader.ValueTextEquals("metadata"u8)) { invoiceKey = Metadata(ref reader, StripeGateway.InvoiceKeyMetadata); }
            else if (reader.ValueTextEquals("currency"u8)) { currency = String(ref reader); }
            else if (reader.ValueTextEquals("created"u8)) { created = Time(ref reader) ?? DateTimeOffset.UnixEpoch; }
            else if (reader.ValueTextEquals("starting_balance"u8)) { startingBalance = Long(ref reader) ?? 0; }
            else if (reader.ValueTextEquals("ending_balance"u8)) { endingBalance = Long(ref reader); }
            else if (reader.ValueTextEquals("attempt_count"u8)) { attemptCount = Long(ref reader) ?? 0; }
            else if (reader.ValueTextEquals("status_transitions"u8)) { finalizedAt = FinalizedAt(ref reader); }
            else { Skip(ref reader); }
        }

        return new StripeInvoiceSnapshot(
            id!, status!, number, total, amountDue, amountPaid, hostedUrl, lineCount, collectionMethod!, hasSavedCard,
            subtotal, totalTaxes, invoiceKey, currency, created, startingBalance, endingBalance, attemptCount, finalizedAt);
    }

    private static (StripeCustomerSnapshot Snapshot, string? TenantKey) ReadCustomer(ref Utf8JsonReader reader)
    {
        string? id = null, defaultPaymentMethod = null, defaultSource = null, tenantKey = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8)) { id = String(ref reader); }
            else if (reader.ValueTextEquals("default_source"u8)) { defaultSource = ExpandableId(ref reader); }
            else if (reader.ValueTextEquals("invoice_settings"u8)) { defaultPaymentMethod = DefaultPaymentMethod(ref reader); }
            else if (reader.ValueTextEquals("metadata"u8)) { tenantKey = Metadata(ref reader, CustomerMapping.TenantKeyMetadata); }
            else { Skip(ref reader); }
        }

        return (new StripeCustomerSnapshot(id!, defaultPaymentMethod is { Length: > 0 } || defaultSource is { Length: > 0 }), tenantKey);
    }

    private static StripeAccountInfo ReadAccount(ref Utf8JsonReader reader)
    {
        string? id = null;
        var chargesEnabled = false;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8)) { id = String(ref reader); }
            else if (reader.ValueTextEquals("charges_enabled"u8)) { chargesEnabled = Bool(ref reader); }
            else { Skip(ref reader); }
        }

        return new StripeAccountInfo(id!, chargesEnabled);
    }

    /// <summary>An event's id and its <c>data.object</c>'s type and id.</summary>
    private static (string? Id, string? ObjectType, string? ObjectId) ReadEvent(ref Utf8JsonReader reader)
    {
        string? id = null, objectType = null, objectId = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("id"u8))
            {
                id = String(ref reader);
            }
            else if (reader.ValueTextEquals("data"u8) && Enter(ref reader))
            {
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("object"u8) && Enter(ref reader))
                    {
                        while (NextProperty(ref reader))
                        {
                            if (reader.ValueTextEquals("object"u8)) { objectType = String(ref reader); }
                            else if (reader.ValueTextEquals("id"u8)) { objectId = String(ref reader); }
                            else { Skip(ref reader); }
                        }
                    }
                    else
                    {
                        Skip(ref reader);
                    }
                }
            }
            else
            {
                Skip(ref reader);
            }
        }

        return (id, objectType, objectId);
    }

    private static Page<T> ReadList<T>(ref Utf8JsonReader reader, string argument, ItemReader<T> readItem)
        where T : class
    {
        var matches = new List<T>();
        var hasMore = false;
        string? lastId = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("has_more"u8))
            {
                hasMore = Bool(ref reader);
            }
            else if (reader.ValueTextEquals("data"u8))
            {
                Expect(ref reader, JsonTokenType.StartArray);
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    var (id, match) = readItem(ref reader, argument);
                    lastId = id;
                    if (match is not null)
                    {
                        matches.Add(match);
                    }
                }
            }
            else
            {
                Skip(ref reader);
            }
        }

        return new Page<T>(matches, hasMore, lastId);
    }

    /// <summary>Moves to the next property name of the current object; false at its end (the reader then stands on its end).</summary>
    private static bool NextProperty(ref Utf8JsonReader reader)
    {
        if (!reader.Read())
        {
            throw new JsonException("The answer ended inside an object.");
        }

        return reader.TokenType == JsonTokenType.PropertyName;
    }

    /// <summary>Reads the property's value; true when it is an object (the reader then stands on its start), false (value skipped) otherwise.</summary>
    private static bool Enter(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return true;
        }

        reader.Skip();
        return false;
    }

    private static void Skip(ref Utf8JsonReader reader)
    {
        reader.Read();
        reader.Skip();
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        reader.Read();
        if (reader.TokenType != type)
        {
            throw new JsonException($"Expected {type}, found {reader.TokenType}.");
        }
    }

    private static string? String(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Null ? null : reader.GetString();
    }

    private static long? Long(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();
    }

    private static bool Bool(ref Utf8JsonReader reader)
    {
        reader.Read();
        return reader.TokenType == JsonTokenType.True;
    }

    /// <summary>A Unix time in seconds, as Stripe stamps every date.</summary>
    private static DateTimeOffset? Time(ref Utf8JsonReader reader) => Long(ref reader) is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;

    /// <summary>An expandable field's id: the string Stripe sent, or the <c>id</c> of the object.</summary>
    private static string? ExpandableId(ref Utf8JsonReader reader)
    {
        reader.Read();
        switch (reader.TokenType)
        {
            case JsonTokenType.String:
                return reader.GetString();
            case JsonTokenType.StartObject:
                string? id = null;
                while (NextProperty(ref reader))
                {
                    if (reader.ValueTextEquals("id"u8)) { id = String(ref reader); }
                    else { Skip(ref reader); }
                }

                return id;
            default:
                reader.Skip();
                return null;
        }
    }

    /// <summary>An invoice's <c>customer</c>: whether it has a card to charge when Stripe sent the object, null when it sent only the id.</summary>
    private static bool? ExpandedCustomerHasSavedCard(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return null;
        }

        return ReadCustomer(ref reader).Snapshot.HasSavedCard;
    }

    private static string? DefaultPaymentMethod(ref Utf8JsonReader reader)
    {
        if (!Enter(ref reader))
        {
            return null;
        }

        string? id = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("default_payment_method"u8)) { id = ExpandableId(ref reader); }
            else { Skip(ref reader); }
        }

        return id;
    }

    private static string? Metadata(ref Utf8JsonReader reader, string key)
    {
        if (!Enter(ref reader))
        {
            return null;
        }

        string? value = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals(key)) { value = String(ref reader); }
            else { Skip(ref reader); }
        }

        return value;
    }

    /// <summary>How many items a list object's <c>data</c> holds (an invoice's <c>lines</c>: the ones Stripe included).</summary>
    private static int CountListData(ref Utf8JsonReader reader)
    {
        if (!Enter(ref reader))
        {
            return 0;
        }

        var count = 0;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("data"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    count++;
                    reader.Skip();
                }
            }
            else
            {
                Skip(ref reader);
            }
        }

        return count;
    }

    /// <summary>The sum of the <c>amount</c>s of an array of objects (an invoice's <c>total_taxes</c>).</summary>
    private static long SumAmounts(ref Utf8JsonReader reader)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        long sum = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (NextProperty(ref reader))
            {
                if (reader.ValueTextEquals("amount"u8)) { sum += Long(ref reader) ?? 0; }
                else { Skip(ref reader); }
            }
        }

        return sum;
    }

    private static DateTimeOffset? FinalizedAt(ref Utf8JsonReader reader)
    {
        if (!Enter(ref reader))
        {
            return null;
        }

        DateTimeOffset? finalizedAt = null;
        while (NextProperty(ref reader))
        {
            if (reader.ValueTextEquals("finalized_at"u8)) { finalizedAt = Time(ref reader); }
            else { Skip(ref reader); }
        }

        return finalizedAt;
    }
}
