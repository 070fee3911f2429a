using TenantBilling.Grains.Domain.Validation;

namespace TenantBilling.Domain.Tests.Validation;

public sealed class TextRulesTests
{
    [Theory]
    [InlineData("Bob\u0000s Bakery", 4, 0x0000)]
    [InlineData("Bob\u0007", 4, 0x0007)]
    [InlineData("100 Congress\nAve", 13, 0x000A)]
    [InlineData("Suite\t100", 6, 0x0009)]
    [InlineData("Acme\u007F", 5, 0x007F)]
    [InlineData("Acme\u0085", 5, 0x0085)]
    [InlineData("Line\u2028two", 5, 0x2028)]
    [InlineData("Para\u2029two", 5, 0x2029)]
    [InlineData("\uFEFFAcme", 1, 0xFEFF)]
    [InlineData("Invoice \u202Efdp.exe", 9, 0x202E)]
    [InlineData("Acme \u2066isolated\u2069", 6, 0x2066)]
    [InlineData("Acme\u200F", 5, 0x200F)]
    [InlineData("Acme\u061C", 5, 0x061C)]
    public void Control_separator_bidi_and_broken_characters_are_named_with_their_position(string text, int position, int code)
    {
        Assert.Equal((position, code), TextRules.FirstForbidden(text));
    }

    [Fact]
    public void Unpaired_surrogates_are_named_too()
    {
        // Built here: test case names can't carry half a character.
        Assert.Equal((6, 0xD83D), TextRules.FirstForbidden("Lone " + '\uD83D' + " half"));
        Assert.Equal((6, 0xDE00), TextRules.FirstForbidden("Lone " + '\uDE00' + " low"));
        Assert.Equal((5, 0xD83D), TextRules.FirstForbidden("Last" + '\uD83D'));
    }

    [Theory]
    [InlineData("Bob's Bakery")]
    [InlineData("Café Zoë, São Paulo")]
    [InlineData("株式会社 東京")]
    [InlineData("مخبز")]
    [InlineData("Team 👩‍💻 seats")]
    [InlineData("Ünïcödé — “quotes” & dashes")]
    public void Other_text_in_any_script_with_emoji_is_plain(string text)
    {
        Assert.Null(TextRules.FirstForbidden(text));
    }

    [Fact]
    public void Fields_refuse_it_by_name_and_trim_whitespace_at_the_ends()
    {
        var errors = new FieldErrors();

        Assert.Null(errors.RequiredText("name", "Bob\u202Eevil", 200));
        Assert.Null(errors.OptionalText("address.line2", "Suite\n100", 100));
        Assert.Equal("Bob", errors.RequiredText("contactName", " \tBob\r\n", 200));

        Assert.Equal(["address.line2", "name"], errors.ToDictionary().Keys.Order(StringComparer.Ordinal));
    }
}
