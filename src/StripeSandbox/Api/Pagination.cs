using TenantBilling.StripeSandbox.Http;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>Cursor pagination of list endpoints: <c>limit</c> (1-100, default 10), <c>starting_after</c>, <c>ending_before</c>.</summary>
internal static class Pagination
{
    public static int Limit(FormParams form)
    {
        var limit = form.Long("limit") ?? 10;
        return limit is >= 1 and <= 100
            ? (int)limit
            : throw StripeApiException.InvalidRequest("Invalid limit: must be between 1 and 100", "limit");
    }

    /// <summary>A page of <paramref name="ordered"/> (newest first) and whether more follow.</summary>
    public static (IReadOnlyList<T> Page, bool HasMore) Slice<T>(FormParams form, IReadOnlyList<T> ordered, Func<T, string> id)
    {
        var limit = Limit(form);
        if (form.NonEmpty("ending_before") is { } before)
        {
            var end = IndexOf(ordered, id, before, "ending_before");
            var start = Math.Max(0, end - limit);
            return (ordered.Skip(start).Take(end - start).ToList(), start > 0);
        }

        var from = form.NonEmpty("starting_after") is { } after ? IndexOf(ordered, id, after, "starting_after") + 1 : 0;
        return (ordered.Skip(from).Take(limit).ToList(), ordered.Count > from + limit);
    }

    private static int IndexOf<T>(IReadOnlyList<T> ordered, Func<T, string> id, string cursor, string param)
    {
        for (var i = 0; i < ordered.Count; i++)
        {
            if (id(ordered[i]) == cursor)
            {
                return i;
            }
        }

        throw StripeApiException.InvalidRequest($"Invalid {param}: object {cursor} not found in this list.", param);
    }
}
