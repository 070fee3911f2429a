using TenantBilling.Grains.Domain.Addresses;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Addresses;

public sealed class AddressValidatorTests
{
    // Los Angeles City Hall: 90012 is Los Angeles, CA, county Los Angeles (06037) in the data.
    private static readonly PostalAddress CityHall = new("200 N Spring St", null, "Los Angeles", "CA", "90012", "US");

    private static readonly Jurisdiction LosAngeles = new("CA", "Los Angeles", "06037", "Los Angeles");

    private readonly AddressValidator _validator = new(EmbeddedZips.Directory);

    [Fact]
    public void ValidateAcceptsMatchingAddressAsGiven()
    {
        var result = _validator.Validate(CityHall);

        Assert.True(result.IsValid);
        Assert.Equal(CityHall, result.Address);
        Assert.Equal(LosAngeles, result.Jurisdiction);
        Assert.Empty(result.Corrections);
        Assert.Empty(result.Mismatches);
    }

    [Theory]
    [InlineData("90012", "Los Angeles", "CA", "Los Angeles", "06037")]
    [InlineData("10001", "New York", "NY", "New York", "36061")]
    [InlineData("63101", "Saint Louis", "MO", "St. Louis (city)", "29510")]
    [InlineData("88001", "Las Cruces", "NM", "Doña Ana", "35013")]
    [InlineData("06103", "Hartford", "CT", "Capitol Region", "09110")]
    [InlineData("20001", "Washington", "DC", "District of Columbia", "11001")]
    [InlineData("99501", "Anchorage", "AK", "Anchorage Municipality", "02020")]
    public void ValidateRecordsJurisdictionOfZip(string zip, string city, string state, string county, string fips)
    {
        var result = _validator.Validate(CityHall with { City = city, State = state, PostalCode = zip });

        Assert.True(result.IsValid);
        Assert.Equal(new Jurisdiction(state, county, fips, city), result.Jurisdiction);
    }

    [Fact]
    public void ValidateAcceptsEveryRowOfDataAsGivenAndRecordsItsJurisdiction()
    {
        foreach (var row in EmbeddedZips.ReadRows())
        {
            var result = _validator.Validate(CityHall with { City = row[1], State = row[2], PostalCode = row[0] });

            Assert.True(result.IsValid, row[0]);
            Assert.Empty(result.Corrections);
            Assert.Equal(row[1], result.Address.City);
            Assert.Equal(new Jurisdiction(row[2], row[3], row[4], EmbeddedZips.Directory.Find(row[0])!.City), result.Jurisdiction);
        }
    }

    [Fact]
    public void ValidateTrimsAndCollapsesWhiteSpaceWithoutReportingIt()
    {
        var messy = new PostalAddress(
            "  200  N\tSpring   St ", " Room\u00A0\u00A0 360 ", "\tLos \r\n Angeles ", " CA ", " 90012-1234\n", " US ");

        var result = _validator.Validate(messy);

        Assert.True(result.IsValid);
        Assert.Equal(new PostalAddress("200 N Spring St", "Room 360", "Los Angeles", "CA", "90012-1234", "US"), result.Address);
        Assert.Empty(result.Corrections);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\t\n")]
    public void ValidateTurnsBlankLine2IntoNull(string? line2)
    {
        var result = _validator.Validate(CityHall with { Line2 = line2 });

        Assert.True(result.IsValid);
        Assert.Null(result.Address.Line2);
    }

    [Theory]
    [InlineData("90012", "90012")]
    [InlineData("90012-1234", "90012-1234")]
    [InlineData("90012-0000", "90012-0000")]
    [InlineData(" 90012 ", "90012")]
    public void ValidateKeeps5DigitOrZipPlus4Code(string given, string expected)
    {
        var result = _validator.Validate(CityHall with { PostalCode = given });

        Assert.True(result.IsValid);
        Assert.Equal(expected, result.Address.PostalCode);
        Assert.Empty(result.Corrections);
    }

    [Theory]
    [InlineData("900121234", "90012-1234")]
    [InlineData(" 900120000 ", "90012-0000")]
    public void ValidateTurnsNineDigitsIntoZipPlus4AndReportsIt(string given, string expected)
    {
        var result = _validator.Validate(CityHall with { PostalCode = given });

        Assert.True(result.IsValid);
        Assert.Equal(expected, result.Address.PostalCode);
        Assert.Equal([new AddressCorrection("postalCode", given.Trim(), expected)], result.Corrections);
        Assert.Equal(LosAngeles, result.Jurisdiction);
    }

    [Theory]
    [InlineData("9001")]
    [InlineData("900123")]
    [InlineData("90012-123")]
    [InlineData("90012-12345")]
    [InlineData("90012 1234")]
    [InlineData("9001-21234")]
    [InlineData("90012+1234")]
    [InlineData("90O12")]
    [InlineData("ABCDE")]
    [InlineData("٩٠٠١٢")]
    public void ValidateRejectsMalformedPostalCode(string given)
    {
        var result = _validator.Validate(CityHall with { PostalCode = given });

        Assert.False(result.IsValid);
        Assert.Null(result.Jurisdiction);
        Assert.Equal(
            [new AddressMismatch("postalCode", $"\"{given}\" is not a 5-digit ZIP code or a ZIP+4 code (12345-6789).", null)],
            result.Mismatches);
        Assert.Equal(given, result.Address.PostalCode);
    }

    [Theory]
    [InlineData("99999", "99999")]
    [InlineData("00000", "00000")]
    [InlineData("99999-1234", "99999")]
    [InlineData("999991234", "99999")]
    public void ValidateRejectsZipThatDoesNotExist(string given, string zip)
    {
        var result = _validator.Validate(CityHall with { PostalCode = given });

        Assert.False(result.IsValid);
        Assert.Null(result.Jurisdiction);
        Assert.Equal([new AddressMismatch("postalCode", $"ZIP code {zip} does not exist.", null)], result.Mismatches);
    }

    [Theory]
    [InlineData("90012", "Los Angeles", "TX", "CA")]
    [InlineData("10001", "New York", "NJ", "NY")]
    [InlineData("20001", "Washington", "MD", "DC")]
    [InlineData("96813", "Honolulu", "AK", "HI")]
    public void ValidateReportsStateThatIsNotZipsStateWithExpectedState(
        string zip, string city, string state, string expectedState)
    {
        var result = _validator.Validate(CityHall with { City = city, State = state, PostalCode = zip });

        Assert.False(result.IsValid);
        Assert.Equal(
            [new AddressMismatch("state", $"ZIP code {zip} is in {expectedState}, not \"{state}\".", expectedState)],
            result.Mismatches);
        Assert.Equal(state, result.Address.State);
    }

    [Fact]
    public void ValidateReportsStateNameInsteadOfCodeAsMismatch()
    {
        var result = _validator.Validate(CityHall with { State = "California" });

        Assert.Equal([new AddressMismatch("state", "ZIP code 90012 is in CA, not \"California\".", "CA")], result.Mismatches);
        Assert.Empty(result.Corrections);
    }

    [Fact]
    public void ValidateReportsDifferingCityAsMismatchWhenStateDoesNotMatchEither()
    {
        var result = _validator.Validate(CityHall with { City = "Austin", State = "TX" });

        Assert.False(result.IsValid);
        Assert.Equal(
            [
                new AddressMismatch("city", "City \"Austin\" is not the city of ZIP code 90012 (Los Angeles).", "Los Angeles"),
                new AddressMismatch("state", "ZIP code 90012 is in CA, not \"TX\".", "CA"),
            ],
            result.Mismatches);
        Assert.Empty(result.Corrections);
        Assert.Equal("Austin", result.Address.City);
    }

    [Theory]
    [InlineData("63101", "MO", "St. Louis", "Saint Louis")]
    [InlineData("90012", "CA", "Hollywood", "Los Angeles")]
    [InlineData("96860", "HI", "Pearl Harbor", "JBPHH")]
    [InlineData("62659", "IL", "New Salem", "Lincoln's New Salem")]
    [InlineData("78501", "TX", "Edinburg", "McAllen")]
    [InlineData("19902", "DE", "Dover", "Dover AFB")]
    [InlineData("81212", "CO", "Cañon City", "Canon City")]
    [InlineData("90012", "CA", "...", "Los Angeles")]
    public void ValidateStandardisesDifferingCityToZipsCityAndReportsIt(
        string zip, string state, string city, string expectedCity)
    {
        var result = _validator.Validate(CityHall with { City = city, State = state, PostalCode = zip });

        Assert.True(result.IsValid);
        Assert.Equal(expectedCity, result.Address.City);
        Assert.Equal(expectedCity, result.Jurisdiction.City);
        Assert.Equal([new AddressCorrection("city", city, expectedCity)], result.Corrections);
    }

    [Theory]
    [InlineData("90012", "CA", "los angeles", "Los Angeles")]
    [InlineData("90012", "CA", "LOS ANGELES", "Los Angeles")]
    [InlineData("90012", "CA", "Los-Angeles", "Los Angeles")]
    [InlineData("90012", "CA", "Los Angeles.", "Los Angeles")]
    [InlineData("90012", "CA", "LosAngeles", "Los Angeles")]
    [InlineData("27101", "NC", "Winston Salem", "Winston-Salem")]
    [InlineData("83814", "ID", "COEUR D'ALENE", "Coeur d'Alene")]
    [InlineData("83814", "ID", "Coeur d Alene", "Coeur d'Alene")]
    [InlineData("62659", "IL", "Lincoln's New Salem", "Lincoln's New Salem")]
    [InlineData("62659", "IL", "LINCOLN'S NEW SALEM", "Lincoln's New Salem")]
    [InlineData("96860", "HI", "Jbphh", "JBPHH")]
    public void ValidateKeepsCityThatDiffersOnlyInCasePunctuationOrSpacing(
        string zip, string state, string city, string databaseCity)
    {
        var result = _validator.Validate(CityHall with { City = city, State = state, PostalCode = zip });

        Assert.True(result.IsValid);
        Assert.Equal(city, result.Address.City);
        Assert.Equal(databaseCity, result.Jurisdiction.City);
        Assert.Empty(result.Corrections);
    }

    [Theory]
    [InlineData("ca", "ca")]
    [InlineData("Ca", "Ca")]
    [InlineData(" cA ", "cA")]
    public void ValidateUpperCasesStateCodeAndReportsIt(string given, string reportedFrom)
    {
        var result = _validator.Validate(CityHall with { State = given });

        Assert.True(result.IsValid);
        Assert.Equal("CA", result.Address.State);
        Assert.Equal([new AddressCorrection("state", reportedFrom, "CA")], result.Corrections);
    }

    [Theory]
    [InlineData("XX")]
    [InlineData("PR")]
    [InlineData("Texas")]
    public void ValidateRejectsStateOutside50StatesAndDCWhenZipIsUnknown(string state)
    {
        var result = _validator.Validate(CityHall with { State = state, PostalCode = "99999" });

        Assert.Equal(
            [
                new AddressMismatch("state", $"\"{state}\" is not the USPS code of one of the 50 states or DC.", null),
                new AddressMismatch("postalCode", "ZIP code 99999 does not exist.", null),
            ],
            result.Mismatches);
    }

    [Fact]
    public void ValidateAcceptsKnownStateWhenOnlyZipIsUnknown()
    {
        var result = _validator.Validate(CityHall with { State = "tx", PostalCode = "99999" });

        Assert.Equal([new AddressMismatch("postalCode", "ZIP code 99999 does not exist.", null)], result.Mismatches);
        Assert.Equal([new AddressCorrection("state", "tx", "TX")], result.Corrections);
    }

    [Theory]
    [InlineData("US", false)]
    [InlineData("us", true)]
    [InlineData("Us", true)]
    [InlineData(" uS ", true)]
    public void ValidateAcceptsUSInAnyCaseAndNormalisesIt(string given, bool corrected)
    {
        var result = _validator.Validate(CityHall with { Country = given });

        Assert.True(result.IsValid);
        Assert.Equal("US", result.Address.Country);
        Assert.Equal(corrected ? [new AddressCorrection("country", given.Trim(), "US")] : [], result.Corrections);
    }

    [Theory]
    [InlineData("USA")]
    [InlineData("United States")]
    [InlineData("CA")]
    [InlineData("MX")]
    public void ValidateRejectsCountryOtherThanUS(string given)
    {
        var result = _validator.Validate(CityHall with { Country = given });

        Assert.False(result.IsValid);
        Assert.Null(result.Jurisdiction);
        Assert.Equal([new AddressMismatch("country", $"Only US addresses are supported, not \"{given}\".", "US")], result.Mismatches);
        Assert.Equal(given, result.Address.Country);
    }

    [Theory]
    [InlineData("line1", null)]
    [InlineData("city", "Los Angeles")]
    [InlineData("state", "CA")]
    [InlineData("postalCode", null)]
    [InlineData("country", "US")]
    public void ValidateRequiresEachFieldAndNamesWhatZipExpects(string field, string? expected)
    {
        const string Blank = " \t ";
        var address = field switch
        {
            "line1" => CityHall with { Line1 = Blank },
            "city" => CityHall with { City = Blank },
            "state" => CityHall with { State = Blank },
            "postalCode" => CityHall with { PostalCode = Blank },
            _ => CityHall with { Country = Blank },
        };

        var result = _validator.Validate(address);

        Assert.False(result.IsValid);
        Assert.Equal([new AddressMismatch(field, $"{field} is required.", expected)], result.Mismatches);
    }

    [Fact]
    public void ValidateTreatsNullFieldsAsMissingAndListsMismatchesInFieldOrder()
    {
        var result = _validator.Validate(new PostalAddress(null!, null, null!, null!, null!, null!));

        Assert.Equal(
            [
                new AddressMismatch("line1", "line1 is required.", null),
                new AddressMismatch("city", "city is required.", null),
                new AddressMismatch("state", "state is required.", null),
                new AddressMismatch("postalCode", "postalCode is required.", null),
                new AddressMismatch("country", "country is required.", "US"),
            ],
            result.Mismatches);
        Assert.Equal(new PostalAddress("", null, "", "", "", ""), result.Address);
    }

    [Fact]
    public void ValidateListsEveryCorrectionInFieldOrder()
    {
        var result = _validator.Validate(new PostalAddress(" 1 S Broadway ", null, " st.  louis ", "mo", "631011234", "us"));

        Assert.True(result.IsValid);
        Assert.Equal(
            [
                new AddressCorrection("city", "st. louis", "Saint Louis"),
                new AddressCorrection("state", "mo", "MO"),
                new AddressCorrection("postalCode", "631011234", "63101-1234"),
                new AddressCorrection("country", "us", "US"),
            ],
            result.Corrections);
        Assert.Equal(new PostalAddress("1 S Broadway", null, "Saint Louis", "MO", "63101-1234", "US"), result.Address);
        Assert.Equal(new Jurisdiction("MO", "St. Louis (city)", "29510", "Saint Louis"), result.Jurisdiction);
    }

    [Fact]
    public void ValidateReportsCorrectionsOfInvalidAddressToo()
    {
        var result = _validator.Validate(CityHall with { State = "tx", PostalCode = "900121234", Country = "usa" });

        Assert.False(result.IsValid);
        Assert.Equal(
            [
                new AddressCorrection("state", "tx", "TX"),
                new AddressCorrection("postalCode", "900121234", "90012-1234"),
            ],
            result.Corrections);
        Assert.Equal(
            [
                new AddressMismatch("state", "ZIP code 90012 is in CA, not \"TX\".", "CA"),
                new AddressMismatch("country", "Only US addresses are supported, not \"usa\".", "US"),
            ],
            result.Mismatches);
    }
}
