using System.Collections.Frozen;
using System.Text;

namespace TenantBilling.Grains.Domain.Addresses;

/// <summary>
/// The US ZIP database (GeoNames, see docs/data/zip-codes.md) as an in-memory index: one
/// <see cref="ZipPlace"/> per 5-digit ZIP, found in constant time, its city's casing corrected by
/// <see cref="PlaceNameCasing"/>. Immutable once built, so one instance
/// is shared by every thread (register it as a singleton).
/// </summary>
public sealed class ZipDirectory
{
    internal const string EmbeddedResourceName = "TenantBilling.Grains.Data.us-zip-codes.csv";
    internal const string Header = "zip,city,state,county,county_fips";

    // A slot for every possible 5-digit ZIP: lookup is one array read, and at 8 bytes a slot the whole
    // table costs less than 1 MB.
    private const int ZipSpace = 100_000;
    private const int FieldCount = 5;

    private readonly ZipPlace?[] _placeByZip;

    private ZipDirectory(ZipPlace?[] placeByZip, int count, FrozenSet<string> states)
    {
        _placeByZip = placeByZip;
        Count = count;
        States = states;
    }

    /// <summary>Number of ZIP codes in the directory.</summary>
    public int Count { get; }

    /// <summary>The USPS state codes that have at least one ZIP (the 50 states and DC).</summary>
    public IReadOnlySet<string> States { get; }

    /// <summary>
    /// Builds the directory from the ZIP database embedded in this assembly. Each call parses the data
    /// anew (tens of milliseconds): call it once at start-up and share the instance.
    /// </summary>
    /// <exception cref="InvalidDataException">The embedded data is malformed.</exception>
    public static ZipDirectory LoadEmbedded()
    {
        using var stream = typeof(ZipDirectory).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"The assembly has no embedded resource {EmbeddedResourceName}.");
        // Reading the bytes whole and decoding them once makes the text the only large transient
        // allocation (a StreamReader would grow buffers up to twice its size).
        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        var text = bytes.AsSpan();
        if (text.StartsWith(Encoding.UTF8.Preamble))
        {
            text = text[Encoding.UTF8.Preamble.Length..];
        }

        return Parse(Encoding.UTF8.GetString(text));
    }

    /// <summary>The place of a ZIP code given as exactly five ASCII digits; null if unknown or not five digits.</summary>
    public ZipPlace? Find(ReadOnlySpan<char> zip) =>
        TryParseZip(zip, out var index) ? _placeByZip[index] : null;

    /// <summary>Parses CSV text with the header <c>zip,city,state,county,county_fips</c>, one row per ZIP.</summary>
    /// <exception cref="InvalidDataException">A row is malformed, or a ZIP appears twice.</exception>
    internal static ZipDirectory Parse(string csv)
    {
        var lines = csv.AsSpan().EnumerateLines();
        if (!lines.MoveNext() || !lines.Current.SequenceEqual(Header))
        {
            throw new InvalidDataException($"The ZIP data must start with the header \"{Header}\".");
        }

        var placeByZip = new ZipPlace?[ZipSpace];
        // Many ZIPs share a city and county: pooling keeps one copy of each string and of each place, and
        // allocates nothing for a row whose place was seen before.
        // Sized for the row count up front, so they never grow (growing would allocate them twice over).
        var rowCount = csv.AsSpan().Count('\n') + 1;
        var strings = new Dictionary<string, string>(rowCount, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        var cities = new Dictionary<string, string>(rowCount, StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();
        var places = new Dictionary<(string City, string State, string County, string Fips), ZipPlace>(rowCount);
        var states = new HashSet<string>(StringComparer.Ordinal);
        Span<Range> fields = stackalloc Range[FieldCount + 1];
        var lineNumber = 1;
        var count = 0;

        foreach (var line in lines)
        {
            lineNumber++;
            if (line.IsEmpty)
            {
                continue;
            }

            if (line.Split(fields, ',') != FieldCount)
            {
                throw Malformed(lineNumber, $"expected {FieldCount} comma-separated fields");
            }

            if (!TryParseZip(line[fields[0]], out var zipIndex))
            {
                throw Malformed(lineNumber, "the ZIP is not five digits");
            }

            if (placeByZip[zipIndex] is not null)
            {
                throw Malformed(lineNumber, "the ZIP appears twice");
            }

            var key = ParsePlace(line, fields, lineNumber, strings, cities);
            if (!places.TryGetValue(key, out var place))
            {
                place = new ZipPlace(key.City, key.State, key.County, key.Fips);
                places.Add(key, place);
                states.Add(place.State);
            }

            placeByZip[zipIndex] = place;
            count++;
        }

        return new ZipDirectory(placeByZip, count, states.ToFrozenSet(StringComparer.Ordinal));
    }

    private static (string City, string State, string County, string Fips) ParsePlace(
        ReadOnlySpan<char> line,
        ReadOnlySpan<Range> fields,
        int lineNumber,
        Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> strings,
        Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> cities)
    {
        var city = line[fields[1]];
        var state = line[fields[2]];
        var county = line[fields[3]];
        var fips = line[fields[4]];
        if (city.IsWhiteSpace() || county.IsWhiteSpace())
        {
            throw Malformed(lineNumber, "the city or county is empty");
        }

        if (state.Length != 2 || !char.IsAsciiLetterUpper(state[0]) || !char.IsAsciiLetterUpper(state[1]))
        {
            throw Malformed(lineNumber, "the state is not a two-letter upper-case code");
        }

        if (fips.Length != 5 || fips.ContainsAnyExceptInRange('0', '9'))
        {
            throw Malformed(lineNumber, "the county FIPS code is not five digits");
        }

        return (City(city, strings, cities), Pool(state, strings), Pool(county, strings), Pool(fips, strings));
    }

    /// <summary>The city as the data spells it, with its casing corrected once per distinct name (<see cref="PlaceNameCasing"/>).</summary>
    private static string City(
        ReadOnlySpan<char> text,
        Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> strings,
        Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> cities)
    {
        if (!cities.TryGetValue(text, out var city))
        {
            var given = text.ToString();
            city = Pool(PlaceNameCasing.Apply(given), strings);
            cities[given] = city;
        }

        return city;
    }

    private static string Pool(ReadOnlySpan<char> text, Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> strings)
    {
        if (!strings.TryGetValue(text, out var pooled))
        {
            pooled = text.ToString();
            strings[pooled] = pooled;
        }

        return pooled;
    }

    private static bool TryParseZip(ReadOnlySpan<char> zip, out int index)
    {
        index = 0;
        if (zip.Length != 5)
        {
            return false;
        }

        foreach (var c in zip)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            index = (index * 10) + (c - '0');
        }

        return true;
    }

    private static InvalidDataException Malformed(int lineNumber, string problem) =>
        new($"ZIP data line {lineNumber}: {problem}.");
}
