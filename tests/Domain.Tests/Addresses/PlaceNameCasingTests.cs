using TenantBilling.Grains.Domain.Addresses;

namespace TenantBilling.Domain.Tests.Addresses;

/// <summary>
/// The ZIP data capitalises every word ("Jbphh", "Lincoln'S New Salem"); the directory corrects the
/// casing of its cities. Checked on every row of the embedded file: each city the correction changes is
/// listed below with its right spelling (checked by hand), every other city is kept as the data has it,
/// and no city is left with a defect of the kinds the scan found.
/// </summary>
public sealed class PlaceNameCasingTests
{
    /// <summary>Every city of the embedded data whose casing is corrected, as the data spells it → as the place spells itself.</summary>
    private static readonly Dictionary<string, string> Corrected = new(StringComparer.Ordinal)
    {
        ["Altus Afb"] = "Altus AFB",
        ["Annandale On Hudson"] = "Annandale on Hudson",
        ["Ardsley On Hudson"] = "Ardsley on Hudson",
        ["Arnold Afb"] = "Arnold AFB",
        ["Avon By The Sea"] = "Avon by the Sea",
        ["Barksdale Afb"] = "Barksdale AFB",
        ["Beale Afb"] = "Beale AFB",
        ["Bird In Hand"] = "Bird in Hand",
        ["Butte Des Morts"] = "Butte des Morts",
        ["Camden On Gauley"] = "Camden on Gauley",
        ["Cannon Afb"] = "Cannon AFB",
        ["Cardiff By The Sea"] = "Cardiff by the Sea",
        ["Carmel By The Sea"] = "Carmel by the Sea",
        ["Castleton On Hudson"] = "Castleton on Hudson",
        ["Charleston Afb"] = "Charleston AFB",
        ["City Of Industry"] = "City of Industry",
        ["Cornwall On Hudson"] = "Cornwall on Hudson",
        ["Corona Del Mar"] = "Corona del Mar",
        ["Croton On Hudson"] = "Croton on Hudson",
        ["Dhs"] = "DHS",
        ["Dover Afb"] = "Dover AFB",
        ["Dyess Afb"] = "Dyess AFB",
        ["Eglin Afb"] = "Eglin AFB",
        ["Eielson Afb"] = "Eielson AFB",
        ["Ellsworth Afb"] = "Ellsworth AFB",
        ["Falls Of Rough"] = "Falls of Rough",
        ["Fe Warren Afb"] = "FE Warren AFB",
        ["Fond Du Lac"] = "Fond du Lac",
        ["Forks Of Salmon"] = "Forks of Salmon",
        ["Fort Mcdowell"] = "Fort McDowell",
        ["Goodfellow Afb"] = "Goodfellow AFB",
        ["Grand Forks Afb"] = "Grand Forks AFB",
        ["Grissom Arb"] = "Grissom ARB",
        ["Hanscom Afb"] = "Hanscom AFB",
        ["Hastings On Hudson"] = "Hastings on Hudson",
        ["Havre De Grace"] = "Havre de Grace",
        ["Hill Afb"] = "Hill AFB",
        ["Howey In The Hills"] = "Howey in the Hills",
        ["Isle Au Haut"] = "Isle au Haut",
        ["Isle Of Palms"] = "Isle of Palms",
        ["Isle Of Springs"] = "Isle of Springs",
        ["Isle Of Wight"] = "Isle of Wight",
        ["Jber"] = "JBER",
        ["Jbphh"] = "JBPHH",
        ["Jbsa Ft Sam Houston"] = "JBSA Ft Sam Houston",
        ["Jbsa Lackland"] = "JBSA Lackland",
        ["Jbsa Randolph"] = "JBSA Randolph",
        ["Joint Base Mdl"] = "Joint Base MDL",
        ["King And Queen Court House"] = "King and Queen Court House",
        ["King Of Prussia"] = "King of Prussia",
        ["Kirtland Afb"] = "Kirtland AFB",
        ["Lac Du Flambeau"] = "Lac du Flambeau",
        ["Lake In The Hills"] = "Lake in the Hills",
        ["Laughlin Afb"] = "Laughlin AFB",
        ["Lincoln'S New Salem"] = "Lincoln's New Salem",
        ["Malden On Hudson"] = "Malden on Hudson",
        ["Malmstrom Afb"] = "Malmstrom AFB",
        ["Marina Del Rey"] = "Marina del Rey",
        ["Marine On Saint Croix"] = "Marine on Saint Croix",
        ["Mcadoo"] = "McAdoo",
        ["Mcalester"] = "McAlester",
        ["Mcalister"] = "McAlister",
        ["Mcallen"] = "McAllen",
        ["Mcarthur"] = "McArthur",
        ["Mcbh Kaneohe Bay"] = "MCBH Kaneohe Bay",
        ["Mcbrides"] = "McBrides",
        ["Mcchord Afb"] = "McChord AFB",
        ["Mccleary"] = "McCleary",
        ["Mcclellan"] = "McClellan",
        ["Mccloud"] = "McCloud",
        ["Mcclusky"] = "McClusky",
        ["Mccomb"] = "McComb",
        ["Mcconnell Afb"] = "McConnell AFB",
        ["Mcconnelsville"] = "McConnelsville",
        ["Mccordsville"] = "McCordsville",
        ["Mccurtain"] = "McCurtain",
        ["Mccutcheon Field"] = "McCutcheon Field",
        ["Mcdaniel"] = "McDaniel",
        ["Mcdonald"] = "McDonald",
        ["Mcdonough"] = "McDonough",
        ["Mcfaddin"] = "McFaddin",
        ["Mcgregor"] = "McGregor",
        ["Mcgrew"] = "McGrew",
        ["Mchenry"] = "McHenry",
        ["Mcintosh"] = "McIntosh",
        ["Mckeesport"] = "McKeesport",
        ["Mckenna"] = "McKenna",
        ["Mckinleyville"] = "McKinleyville",
        ["Mckinney"] = "McKinney",
        ["Mclean"] = "McLean",
        ["Mcleod"] = "McLeod",
        ["Mcloud"] = "McLoud",
        ["Mcmechen"] = "McMechen",
        ["Mcminnville"] = "McMinnville",
        ["Mcnary"] = "McNary",
        ["Mcpherson"] = "McPherson",
        ["Mcville"] = "McVille",
        ["Meadows Of Dan"] = "Meadows of Dan",
        ["Minot Afb"] = "Minot AFB",
        ["Moody Afb"] = "Moody AFB",
        ["Mountain Home Afb"] = "Mountain Home AFB",
        ["Mouth Of Wilson"] = "Mouth of Wilson",
        ["Naval Air Station Jrb"] = "Naval Air Station JRB",
        ["Nellis Afb"] = "Nellis AFB",
        ["Offutt Afb"] = "Offutt AFB",
        ["Patrick Afb"] = "Patrick AFB",
        ["Playa Del Rey"] = "Playa del Rey",
        ["Point Mugu Nawc"] = "Point Mugu NAWC",
        ["Point Of Rocks"] = "Point of Rocks",
        ["Pointe A La Hache"] = "Pointe a la Hache",
        ["Pointe Aux Pins"] = "Pointe aux Pins",
        ["Ponce De Leon"] = "Ponce de Leon",
        ["Port Hueneme Cbc Base"] = "Port Hueneme CBC Base",
        ["Portage Des Sioux"] = "Portage des Sioux",
        ["Prairie Du Chien"] = "Prairie du Chien",
        ["Prairie Du Rocher"] = "Prairie du Rocher",
        ["Prairie Du Sac"] = "Prairie du Sac",
        ["Pueblo Of Acoma"] = "Pueblo of Acoma",
        ["Put In Bay"] = "Put in Bay",
        ["Ranchos De Taos"] = "Ranchos de Taos",
        ["Rough And Ready"] = "Rough and Ready",
        ["Saint Mary Of The Woods"] = "Saint Mary of the Woods",
        ["Shaw Afb"] = "Shaw AFB",
        ["Shawnee On Delaware"] = "Shawnee on Delaware",
        ["Sheppard Afb"] = "Sheppard AFB",
        ["Southern Md Facility"] = "Southern MD Facility",
        ["Township Of Washington"] = "Township of Washington",
        ["Travis Afb"] = "Travis AFB",
        ["Truth Or Consequences"] = "Truth or Consequences",
        ["Usaf Academy"] = "USAF Academy",
        ["West Mclean"] = "West McLean",
    };

    /// <summary>Words of the data that are abbreviations written in title case, rightly ("Ft", "St", "Mt", "Pk"), or a lone "Mc" ("Mc Lean").</summary>
    private static readonly HashSet<string> TitleCaseAbbreviations = new(StringComparer.Ordinal) { "Ft", "Mc", "Mt", "Pk", "St" };

    /// <summary>English words that are lower case inside a name.</summary>
    private static readonly HashSet<string> EnglishMinorWords = new(StringComparer.OrdinalIgnoreCase) { "and", "by", "in", "of", "on", "or", "the" };

    [Fact]
    public void EveryCityOfTheDataIsLoadedWithItsCorrectedCasingAndOnlyTheListedOnesChange()
    {
        var changed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in EmbeddedZips.ReadRows())
        {
            var city = EmbeddedZips.Directory.Find(row[0])!.City;

            Assert.Equal(Corrected.GetValueOrDefault(row[1], row[1]), city);
            Assert.Equal(row[1].ToUpperInvariant(), city.ToUpperInvariant());   // only the case of letters changes
            if (city != row[1])
            {
                changed.Add(row[1]);
            }
        }

        Assert.Equal(Corrected.Keys.Order(StringComparer.Ordinal), changed.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void NoCityOfTheDataIsLeftWithATitleCasingDefect()
    {
        var defects = new List<string>();
        foreach (var city in EmbeddedZips.ReadRows().Select(row => EmbeddedZips.Directory.Find(row[0])!.City).Distinct())
        {
            var words = city.Split(' ', '-');
            for (var i = 0; i < words.Length; i++)
            {
                var word = words[i];
                var titleCase = word.Length > 1 && char.IsUpper(word[0]) && word[1..].All(char.IsLower);
                if (titleCase && !word.Any(c => "aeiouyAEIOUY".Contains(c)) && !TitleCaseAbbreviations.Contains(word))
                {
                    defects.Add($"{city}: \"{word}\" has no vowel, so it is an abbreviation written in capitals");
                }

                if (word.Length > 2 && word[^2] == '\'' && char.IsUpper(word[^1]))
                {
                    defects.Add($"{city}: \"{word}\" capitalises the letter after its apostrophe");
                }

                if (word.Length > 2 && word.StartsWith("Mc", StringComparison.Ordinal) && char.IsLower(word[2]))
                {
                    defects.Add($"{city}: \"{word}\" is a Mc name with a lower-case letter after Mc");
                }

                if (i > 0 && EnglishMinorWords.Contains(word) && char.IsUpper(word[0]) && city != "Cave In Rock")
                {
                    defects.Add($"{city}: \"{word}\" is capitalised inside the name");
                }
            }
        }

        Assert.Empty(defects);
    }

    [Theory]
    [InlineData("Jbphh", "JBPHH")]
    [InlineData("Mcbh Kaneohe Bay", "MCBH Kaneohe Bay")]
    [InlineData("Hanscom Afb", "Hanscom AFB")]
    [InlineData("Fe Warren Afb", "FE Warren AFB")]
    [InlineData("Lincoln'S New Salem", "Lincoln's New Salem")]
    [InlineData("Mcallen", "McAllen")]
    [InlineData("Fort Mcdowell", "Fort McDowell")]
    [InlineData("Isle Of Palms", "Isle of Palms")]
    [InlineData("Saint Mary Of The Woods", "Saint Mary of the Woods")]
    [InlineData("Prairie Du Chien", "Prairie du Chien")]
    [InlineData("Pointe A La Hache", "Pointe a la Hache")]
    [InlineData("JBPHH", "JBPHH")]
    [InlineData("The Dalles", "The Dalles")]
    [InlineData("De Soto", "De Soto")]
    [InlineData("Des Moines", "Des Moines")]
    [InlineData("West Des Moines", "West Des Moines")]
    [InlineData("Santa Fe", "Santa Fe")]
    [InlineData("Coeur d'Alene", "Coeur d'Alene")]
    [InlineData("O'Brien", "O'Brien")]
    [InlineData("McCall", "McCall")]
    [InlineData("Mc Lean", "Mc Lean")]
    [InlineData("Macon", "Macon")]
    [InlineData("Winston-Salem", "Winston-Salem")]
    [InlineData("Fort St John", "Fort St John")]
    public void ApplyCorrectsTheCasingOfOneName(string name, string expected)
    {
        Assert.Equal(expected, PlaceNameCasing.Apply(name));
    }

    [Fact]
    public void ApplyReturnsANameThatNeedsNoCorrectionItself()
    {
        const string Clean = "Los Angeles";

        Assert.Same(Clean, PlaceNameCasing.Apply(Clean));
    }

    [Fact]
    public void ApplyHandlesANameLongerThanItsStackBuffer()
    {
        var name = "Isle" + string.Concat(Enumerable.Repeat(" Of Mcallen", 40));

        Assert.Equal("Isle" + string.Concat(Enumerable.Repeat(" of McAllen", 40)), PlaceNameCasing.Apply(name));
    }
}
