using TenantBilling.Grains.Domain.Paging;

namespace TenantBilling.Domain.Tests.Paging;

public sealed class IdPagingTests
{
    private static readonly List<string> Ids = ["a", "b", "c", "d", "e"];

    [Theory]
    [InlineData(null, 2, "a,b", "b")]
    [InlineData("b", 2, "c,d", "d")]
    [InlineData("d", 2, "e", null)]
    [InlineData("c", 2, "d,e", null)]
    [InlineData(null, 5, "a,b,c,d,e", null)]
    [InlineData("bb", 2, "c,d", "d")]
    [InlineData("e", 2, "", null)]
    [InlineData("0", 1, "a", "a")]
    public void A_page_starts_after_the_last_id_seen_and_names_the_next_start(string? after, int limit, string expected, string? nextAfter)
    {
        var (ids, next) = IdPaging.Page(Ids, after, limit);

        Assert.Equal(expected, string.Join(",", ids));
        Assert.Equal(nextAfter, next);
    }

    [Fact]
    public void Walking_every_page_yields_each_id_once_in_order()
    {
        var all = Enumerable.Range(0, 57).Select(i => $"id-{i:D3}").ToList();
        var seen = new List<string>();
        string? after = null;
        do
        {
            var (ids, next) = IdPaging.Page(all, after, 10);
            seen.AddRange(ids);
            after = next;
        }
        while (after is not null);

        Assert.Equal(all, seen);
    }
}
