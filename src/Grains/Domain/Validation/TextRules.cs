using System.Globalization;

namespace TenantBilling.Grains.Domain.Validation;

/// <summary>
/// Free text (names, addresses, descriptions, emails, phones) is plain text on one line. Leading and
/// trailing whitespace is trimmed; inside, a text is refused (400 naming the field) when it contains a
/// control character (U+0000–U+001F, U+007F–U+009F: tabs, newlines, NUL, escapes), a line or paragraph
/// separator (U+2028, U+2029), a byte-order mark (U+FEFF), a bidirectional formatting character
/// (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069: they can make an invoice line read differently
/// from what it says) or an unpaired surrogate. Every other character, accents, scripts and emoji
/// included, is kept as given.
/// </summary>
public static class TextRules
{
    /// <summary>The first character <paramref name="text"/> may not contain, as (position from 1, code), or null.</summary>
    public static (int Position, int Code)? FirstForbidden(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c) || IsForbidden(c))
            {
                return (i + 1, c);
            }
        }

        return null;
    }

    public static string Problem((int Position, int Code) forbidden) =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"Must be plain text on one line: character {forbidden.Position} (U+{forbidden.Code:X4}) is a control, line-separator, bidirectional-formatting or unpaired surrogate character.");

    private static bool IsForbidden(char c) =>
        char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF' or '\u061C' or '\u200E' or '\u200F' or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069');
}
