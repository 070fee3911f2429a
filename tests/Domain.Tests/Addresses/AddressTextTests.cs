using TenantBilling.Grains.Domain.Addresses;

namespace TenantBilling.Domain.Tests.Addresses;

public sealed class AddressTextTests
{
    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("   ", "")]
    [InlineData("a", "a")]
    [InlineData(" a ", "a")]
    [InlineData("a  b", "a b")]
    [InlineData("a\tb", "a b")]
    [InlineData("a \r\n b", "a b")]
    [InlineData("\u00A0a\u00A0\u00A0b\u2003", "a b")]
    [InlineData("200 N Spring St", "200 N Spring St")]
    public void CollapseWhitespaceTrimsAndTurnsInnerRunsIntoOneSpace(string? text, string expected)
    {
        Assert.Equal(expected, AddressText.CollapseWhitespace(text));
    }

    [Fact]
    public void CollapseWhitespaceHandlesTextLongerThanStackBuffer()
    {
        var words = Enumerable.Repeat("word", 200).ToArray();

        Assert.Equal(string.Join(' ', words), AddressText.CollapseWhitespace(" " + string.Join("  ", words) + " "));
    }

    [Fact]
    public void CollapseWhitespaceReturnsCleanTextItself()
    {
        const string Clean = "200 N Spring St";

        Assert.Same(Clean, AddressText.CollapseWhitespace(Clean));
    }

    [Theory]
    [InlineData("St. Louis", "st louis", true)]
    [InlineData("Winston-Salem", "WINSTON SALEM", true)]
    [InlineData("Coeur d'Alene", "coeur d alene", true)]
    [InlineData("Los Angeles", "  los   angeles.", true)]
    [InlineData("", "...", true)]
    [InlineData("Saint Louis", "St Louis", false)]
    [InlineData("Los Angeles", "Los Angele", false)]
    [InlineData("Los Angeles", "Los Angeles 2", false)]
    [InlineData("Canon City", "Cañon City", false)]
    public void SamePlaceNameComparesLettersAndDigitsIgnoringCase(string a, string b, bool same)
    {
        Assert.Equal(same, AddressText.SamePlaceName(a, b));
        Assert.Equal(same, AddressText.SamePlaceName(b, a));
    }
}
