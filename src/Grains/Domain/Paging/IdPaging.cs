namespace TenantBilling.Grains.Domain.Paging;

/// <summary>
/// Keyset paging over ids kept sorted (ordinal): a page starts after the last id the caller saw, so
/// ids added or removed meanwhile never shift a page, and the caller never sees one twice.
/// </summary>
public static class IdPaging
{
    /// <summary>Up to <paramref name="limit"/> ids after <paramref name="after"/>; NextAfter is null on the last page.</summary>
    public static (IReadOnlyList<string> Ids, string? NextAfter) Page(List<string> sortedIds, string? after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var start = 0;
        if (after is not null)
        {
            var index = sortedIds.BinarySearch(after, StringComparer.Ordinal);
            start = index >= 0 ? index + 1 : ~index;
        }

        var page = sortedIds.Skip(start).Take(limit).ToList();
        return (page, start + page.Count < sortedIds.Count ? page[^1] : null);
    }
}
