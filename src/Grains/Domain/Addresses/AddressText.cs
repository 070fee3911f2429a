namespace TenantBilling.Grains.Domain.Addresses;

/// <summary>Text rules shared by address normalisation and comparison.</summary>
internal static class AddressText
{
    private const int StackBufferLimit = 256;

    /// <summary>
    /// Trims the text and turns every inner run of white space (tabs, line breaks, non-breaking spaces)
    /// into one space. Null becomes the empty string. Returns the same instance when nothing changes.
    /// </summary>
    public static string CollapseWhitespace(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return string.Empty;
        }

        if (IsCollapsed(text))
        {
            return text;
        }

        var buffer = text.Length <= StackBufferLimit ? stackalloc char[text.Length] : new char[text.Length];
        var length = 0;
        var spacePending = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                spacePending = length > 0;
                continue;
            }

            if (spacePending)
            {
                buffer[length++] = ' ';
                spacePending = false;
            }

            buffer[length++] = c;
        }

        return new string(buffer[..length]);
    }

    /// <summary>
    /// True when two place names are the same ignoring case, punctuation and spacing: only letters and
    /// digits are compared, so "St. Louis" equals "st louis" and "Winston-Salem" equals "Winston Salem".
    /// </summary>
    public static bool SamePlaceName(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
    {
        var i = 0;
        var j = 0;
        while (true)
        {
            while (i < a.Length && !char.IsLetterOrDigit(a[i]))
            {
                i++;
            }

            while (j < b.Length && !char.IsLetterOrDigit(b[j]))
            {
                j++;
            }

            if (i == a.Length || j == b.Length)
            {
                return i == a.Length && j == b.Length;
            }

            if (char.ToUpperInvariant(a[i]) != char.ToUpperInvariant(b[j]))
            {
                return false;
            }

            i++;
            j++;
        }
    }

    private static bool IsCollapsed(string text)
    {
        if (char.IsWhiteSpace(text[0]) || char.IsWhiteSpace(text[^1]))
        {
            return false;
        }

        for (var i = 1; i < text.Length - 1; i++)
        {
            if (char.IsWhiteSpace(text[i]) && (text[i] != ' ' || char.IsWhiteSpace(text[i + 1])))
            {
                return false;
            }
        }

        return true;
    }
}
