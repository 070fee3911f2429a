using System.Collections.Frozen;

namespace TenantBilling.Grains.Domain.Addresses;

/// <summary>
/// Corrects the casing of the ZIP data's place names. The data capitalises every word as if it were an
/// ordinary name ("Jbphh", "Lincoln'S New Salem", "Mcallen", "Isle Of Palms"); validation shows and
/// stores the ZIP's city, so it must be spelled as the place spells itself. Only letter case ever
/// changes: the letters, spaces and punctuation stay as the data has them. The rules, in order:
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>A name in <see cref="Irregular"/> is written as listed there (the word rules would get it wrong).</item>
/// <item>Each word (between spaces and hyphens) that is one of <see cref="Acronyms"/> is written in capitals
/// ("Hanscom Afb" → "Hanscom AFB").</item>
/// <item>A minor word (<see cref="MinorWords"/>) after the first word is lower case ("Isle of Palms",
/// "Prairie du Chien"); the first word keeps its capital ("The Dalles", "De Soto").</item>
/// <item>"Mc" followed by a letter capitalises that letter ("McAllen"); "Mc" alone stays ("Mc Lean").</item>
/// <item>A letter that ends a word right after an apostrophe is lower case ("Lincoln's"); one followed by
/// more letters keeps its case ("Coeur d'Alene", "O'Brien").</item>
/// </list>
/// The lists come from a scan of the whole embedded file (docs/data/zip-codes.md); the tests check every
/// name of the file against these rules.
/// </remarks>
internal static class PlaceNameCasing
{
    /// <summary>Abbreviations of bases, agencies and a state that the data holds as words.</summary>
    internal static readonly FrozenSet<string> Acronyms = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase,
        "AFB",   // Air Force Base
        "ARB",   // Air Reserve Base
        "CBC",   // Construction Battalion Center
        "DHS",   // Department of Homeland Security
        "JBER",  // Joint Base Elmendorf-Richardson
        "JBPHH", // Joint Base Pearl Harbor-Hickam
        "JBSA",  // Joint Base San Antonio
        "JRB",   // Joint Reserve Base
        "MCBH",  // Marine Corps Base Hawaii
        "MD",    // Maryland ("Southern MD Facility")
        "MDL",   // McGuire-Dix-Lakehurst
        "NAWC",  // Naval Air Warfare Center
        "USAF"); // United States Air Force

    /// <summary>English, French and Spanish short words that are lower case inside a place name.</summary>
    internal static readonly FrozenSet<string> MinorWords = FrozenSet.Create(
        StringComparer.OrdinalIgnoreCase, "and", "by", "in", "of", "on", "or", "the", "au", "aux", "de", "del", "des", "du");

    /// <summary>Whole names (as the data spells them) whose casing the word rules would get wrong.</summary>
    internal static readonly FrozenDictionary<string, string> Irregular = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Cave In Rock"] = "Cave In Rock",          // the village writes "Cave-In-Rock"
        ["Fe Warren Afb"] = "FE Warren AFB",        // F. E. Warren Air Force Base; "Fe" is otherwise Santa Fe's
        ["Pointe A La Hache"] = "Pointe a la Hache", // "Pointe à la Hache"
        ["West Des Moines"] = "West Des Moines",    // "Des Moines" is a name, not "des" + "Moines"
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> AcronymLookup = Acronyms.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> MinorWordLookup = MinorWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The name with its casing corrected; the same instance when nothing changes.</summary>
    public static string Apply(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (Irregular.TryGetValue(name, out var irregular))
        {
            return irregular;
        }

        Span<char> text = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        name.AsSpan().CopyTo(text);
        var changed = false;
        var start = 0;
        var wordIndex = 0;
        while (start < text.Length)
        {
            var length = text[start..].IndexOfAny(' ', '-');
            if (length < 0)
            {
                length = text.Length - start;
            }

            if (length > 0)
            {
                changed |= FixWord(text.Slice(start, length), isFirst: wordIndex == 0);
                wordIndex++;
            }

            start += length + 1;
        }

        return changed ? new string(text) : name;
    }

    /// <summary>Applies the word rules to one word in place; true when a letter changed case.</summary>
    private static bool FixWord(Span<char> word, bool isFirst)
    {
        if (AcronymLookup.Contains(word))
        {
            return SetCase(word, upper: true);
        }

        if (!isFirst && MinorWordLookup.Contains(word))
        {
            return SetCase(word, upper: false);
        }

        var changed = false;
        if (word.Length > 2 && word[0] == 'M' && word[1] == 'c' && char.IsLower(word[2]))
        {
            word[2] = char.ToUpperInvariant(word[2]);
            changed = true;
        }

        if (word.Length > 2 && word[^2] == '\'' && char.IsUpper(word[^1]))
        {
            word[^1] = char.ToLowerInvariant(word[^1]);
            changed = true;
        }

        return changed;
    }

    private static bool SetCase(Span<char> word, bool upper)
    {
        var changed = false;
        for (var i = 0; i < word.Length; i++)
        {
            var cased = upper ? char.ToUpperInvariant(word[i]) : char.ToLowerInvariant(word[i]);
            if (cased != word[i])
            {
                word[i] = cased;
                changed = true;
            }
        }

        return changed;
    }
}
