using TenantBilling.Grains.Domain.Addresses;

namespace TenantBilling.Domain.Tests.Addresses;

public sealed class ZipDirectoryTests
{
    // Row count of us-zip-codes.csv as stated in its SOURCE file (40,977 ZIPs plus the header).
    private const int SourceRowCount = 40_977;

    [Fact]
    public void LoadEmbeddedLoadsEveryRowOfSourceData()
    {
        var rows = EmbeddedZips.ReadRows();

        Assert.Equal(SourceRowCount, rows.Count);
        Assert.Equal(SourceRowCount, EmbeddedZips.Directory.Count);
        foreach (var row in rows)
        {
            Assert.Equal(5, row.Length);
            var place = EmbeddedZips.Directory.Find(row[0]);
            Assert.NotNull(place);
            Assert.Equal((row[2], row[3], row[4]), (place.State, place.CountyName, place.CountyFips));
            Assert.Equal(row[1], place.City, ignoreCase: true);   // its casing corrected: see PlaceNameCasingTests
        }
    }

    [Fact]
    public void LoadEmbeddedKnows50StatesAndDCAndNoTerritory()
    {
        var states = EmbeddedZips.Directory.States;

        Assert.Equal(51, states.Count);
        Assert.Contains("DC", states);
        Assert.Contains("CA", states);
        Assert.DoesNotContain("PR", states);
        Assert.DoesNotContain("GU", states);
    }

    [Theory]
    [InlineData("90012", "Los Angeles", "CA", "Los Angeles", "06037")]
    [InlineData("00501", "Holtsville", "NY", "Suffolk", "36103")]
    [InlineData("10001", "New York", "NY", "New York", "36061")]
    [InlineData("63101", "Saint Louis", "MO", "St. Louis (city)", "29510")]
    [InlineData("88001", "Las Cruces", "NM", "Doña Ana", "35013")]
    [InlineData("06103", "Hartford", "CT", "Capitol Region", "09110")]
    [InlineData("20001", "Washington", "DC", "District of Columbia", "11001")]
    [InlineData("84048", "Lehi", "UT", "Utah", "49049")]
    [InlineData("99950", "Ketchikan", "AK", "Ketchikan Gateway", "02130")]
    [InlineData("96860", "JBPHH", "HI", "Honolulu", "15003")]
    [InlineData("62659", "Lincoln's New Salem", "IL", "Menard", "17129")]
    public void FindReturnsRowOfRealZip(string zip, string city, string state, string county, string fips)
    {
        Assert.Equal(new ZipPlace(city, state, county, fips), EmbeddedZips.Directory.Find(zip));
    }

    [Theory]
    [InlineData("99999")]
    [InlineData("00000")]
    [InlineData("")]
    [InlineData("9001")]
    [InlineData("900123")]
    [InlineData("9001a")]
    [InlineData(" 9001")]
    [InlineData("90012-1234")]
    [InlineData("٩٠٠١٢")] // Arabic-Indic digits are digits to char.IsDigit, not ZIP digits
    public void FindReturnsNullForUnknownOrMalformedZip(string zip)
    {
        Assert.Null(EmbeddedZips.Directory.Find(zip));
    }

    [Fact]
    public void ParseSharesOnePlaceBetweenZipsWithSameRow()
    {
        var directory = ZipDirectory.Parse(
            $"{ZipDirectory.Header}\n90012,Los Angeles,CA,Los Angeles,06037\n90013,Los Angeles,CA,Los Angeles,06037\n");

        Assert.Equal(2, directory.Count);
        Assert.Same(directory.Find("90012"), directory.Find("90013"));
    }

    [Fact]
    public void ParseAcceptsCRLFLineEnds()
    {
        var directory = ZipDirectory.Parse($"{ZipDirectory.Header}\r\n90012,Los Angeles,CA,Los Angeles,06037\r\n");

        Assert.Equal(new ZipPlace("Los Angeles", "CA", "Los Angeles", "06037"), directory.Find("90012"));
    }

    [Theory]
    [InlineData("zip,city,state,county\n90012,Los Angeles,CA,Los Angeles,06037", "header")]
    [InlineData("\n90012,Los Angeles,CA,Los Angeles,06037", "header")]
    [InlineData("HEADER\n90012,Los Angeles,CA,Los Angeles", "line 2: expected 5 comma-separated fields")]
    [InlineData("HEADER\n90012,Los Angeles,CA,Los Angeles,06037,34.06", "line 2: expected 5 comma-separated fields")]
    [InlineData("HEADER\n9001,Los Angeles,CA,Los Angeles,06037", "line 2: the ZIP is not five digits")]
    [InlineData("HEADER\n90012,,CA,Los Angeles,06037", "line 2: the city or county is empty")]
    [InlineData("HEADER\n90012,Los Angeles,CA, ,06037", "line 2: the city or county is empty")]
    [InlineData("HEADER\n90012,Los Angeles,ca,Los Angeles,06037", "line 2: the state is not a two-letter upper-case code")]
    [InlineData("HEADER\n90012,Los Angeles,CAL,Los Angeles,06037", "line 2: the state is not a two-letter upper-case code")]
    [InlineData("HEADER\n90012,Los Angeles,CA,Los Angeles,6037", "line 2: the county FIPS code is not five digits")]
    [InlineData("HEADER\n90012,Los Angeles,CA,Los Angeles,0603X", "line 2: the county FIPS code is not five digits")]
    [InlineData("HEADER\n90012,Los Angeles,CA,Los Angeles,06037\n90012,Los Angeles,CA,Los Angeles,06037", "line 3: the ZIP appears twice")]
    public void ParseRejectsMalformedDataNamingLine(string csv, string expectedProblem)
    {
        var exception = Assert.Throws<InvalidDataException>(() => ZipDirectory.Parse(csv.Replace("HEADER", ZipDirectory.Header)));

        Assert.Contains(expectedProblem, exception.Message, StringComparison.Ordinal);
    }
}
