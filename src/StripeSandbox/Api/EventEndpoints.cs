using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.Json;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>
/// <c>GET /v1/events</c> and <c>GET /v1/events/{id}</c>: the events the account's requests raised (each Connect
/// account its own), newest first, as Stripe lists them. An event is recorded when the work runs, whether or not
/// its answer reached the client (a 500 after the work, a timeout, a dropped connection), so the list is how a
/// client learns what a lost request did: an <c>invoice.sent</c> event is the only trace of an e-mailed invoice.
/// Filters: <c>type</c> (one type, or a prefix ending in <c>*</c> such as <c>invoice.*</c>) or <c>types[]</c> (up to 20
/// exact types; not both), and <c>created</c> (a Unix time, or <c>gt</c>/<c>gte</c>/<c>lt</c>/<c>lte</c>); paged by
/// <c>limit</c> (1–100), <c>starting_after</c> and <c>ending_before</c>, with <c>has_more</c>.
/// </summary>
internal static class EventEndpoints
{
    /// <summary>Stripe's most types in one <c>types</c> filter.</summary>
    public const int MaxTypes = 20;

    public static Router MapEvents(this Router router) => router
        .Map("GET", "/v1/events", List)
        .Map("GET", "/v1/events/{id}", Retrieve);

    private static byte[] List(ApiContext ctx)
    {
        var form = ctx.Form;
        form.EnsureOnly("created", "delivery_success", "ending_before", "limit", "starting_after", "type", "types");
        var type = form.NonEmpty("type");
        var types = form.Has("types") ? form.StringList("types") : [];
        if (type is not null && types.Count > 0)
        {
            throw StripeApiException.InvalidRequest("You may pass either type or types, but not both.", "types");
        }

        if (types.Count > MaxTypes)
        {
            throw StripeApiException.InvalidRequest($"Invalid types: must contain at most {MaxTypes} elements", "types");
        }

        var created = CreatedFilter(form);
        var matching = new List<FakeEvent>();
        for (var i = ctx.Account.Events.Count - 1; i >= 0; i--)
        {
            var evt = ctx.Account.Events[i];
            if (TypeMatches(evt.Type, type, types) && created(evt.Created.ToUnixTimeSeconds()))
            {
                matching.Add(evt);
            }
        }

        var (page, hasMore) = Pagination.Slice(form, matching, e => e.Id);
        return StripeJson.Write(w => StripeJson.Page(w, "/v1/events", page, hasMore, (jw, e) => jw.WriteRawValue(e.Payload)));
    }

    private static byte[] Retrieve(ApiContext ctx)
    {
        var evt = ctx.Account.Events.Find(e => e.Id == ctx.RequiredId) ?? throw StripeApiException.NoSuch("event", ctx.RequiredId, "id");
        return System.Text.Encoding.UTF8.GetBytes(evt.Payload);
    }

    private static bool TypeMatches(string eventType, string? type, IReadOnlyList<string> types)
    {
        if (types.Count > 0)
        {
            return types.Contains(eventType);
        }

        if (type is null)
        {
            return true;
        }

        return type.EndsWith('*')
            ? eventType.StartsWith(type[..^1], StringComparison.Ordinal)
            : eventType == type;
    }

    /// <summary><c>created=T</c> (exactly), or <c>created[gt|gte|lt|lte]=T</c> in any combination; Unix seconds.</summary>
    private static Func<long, bool> CreatedFilter(FormParams form)
    {
        if (!form.Has("created"))
        {
            return _ => true;
        }

        if (!form.HasObject("created"))
        {
            var exactly = form.Long("created")!.Value;
            return t => t == exactly;
        }

        var range = form.Object("created")!;
        range.EnsureOnly("gt", "gte", "lt", "lte");
        var (gt, gte, lt, lte) = (range.Long("gt"), range.Long("gte"), range.Long("lt"), range.Long("lte"));
        return t => (gt is null || t > gt) && (gte is null || t >= gte) && (lt is null || t < lt) && (lte is null || t <= lte);
    }
}
