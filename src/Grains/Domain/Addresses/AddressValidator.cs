using TenantBilling.Grains.Interfaces.Models;
using static TenantBilling.Grains.Domain.Addresses.AddressFields;

namespace TenantBilling.Grains.Domain.Addresses;

/// <summary>
/// Validates a tenant's US postal address against the ZIP database before billing, because the address
/// decides the tax jurisdiction. Stateless over an immutable <see cref="ZipDirectory"/>: safe to share as
/// a singleton.
/// </summary>
/// <remarks>
/// <para><b>Normalisation</b> (applied to every field first):</para>
/// <list type="bullet">
/// <item>Every field is trimmed and each inner run of white space becomes one space. A null field counts
/// as empty; an empty <c>line2</c> becomes null. This alone is not reported as a correction.</item>
/// <item><c>state</c>: a two-letter code is upper-cased ("ca" → "CA").</item>
/// <item><c>postalCode</c>: accepted as a 5-digit ZIP ("90012"), ZIP+4 ("90012-1234"), or nine digits,
/// which become ZIP+4 ("900121234" → "90012-1234"). Anything else is a mismatch. Only the first five
/// digits are checked; the +4 part is kept as given.</item>
/// <item><c>country</c>: must be "US" in any case, and becomes "US".</item>
/// </list>
/// <para><b>Checks</b>, each failure adding an <see cref="AddressMismatch"/> (field name as the API spells
/// it, a message, and the expected value when the database knows it):</para>
/// <list type="bullet">
/// <item><c>line1</c>, <c>city</c>, <c>state</c>, <c>postalCode</c> and <c>country</c> are required.</item>
/// <item>The 5-digit ZIP must exist in the database.</item>
/// <item>The state must be the ZIP's state (expected: the ZIP's state). When the ZIP is unknown, the
/// state must still be one of the 50 states or DC.</item>
/// <item>A country other than US is a mismatch (expected: "US").</item>
/// </list>
/// <para><b>City.</b> The given city is compared with the ZIP's city ignoring case, punctuation and
/// spacing ("st. louis" equals "St Louis"). If they are the same the tenant's spelling is kept. If they
/// differ and the state matches the ZIP, the city is standardised to the database's city and reported as a
/// correction, as postal validators do. If they differ and the state does not match the ZIP either, it is
/// a mismatch instead: the ZIP may be the wrong field, so the city is not overwritten.</para>
/// <para><b>Corrections.</b> Every change beyond white space is listed as an <see cref="AddressCorrection"/>
/// (field, from, to), in field order: city standardised, state upper-cased, nine-digit ZIP reformatted,
/// country upper-cased. "From" is the given value after white-space normalisation. Corrections are
/// reported for invalid addresses too.</para>
/// <para><b>Result.</b> With no mismatch the address is valid and the result records the
/// <see cref="Jurisdiction"/> from the ZIP database: the ZIP's state, its one county name and five-digit
/// county FIPS code, and its city. The database gives one county per ZIP although some ZIPs cross county
/// lines (see docs/data/zip-codes.md).</para>
/// </remarks>
public sealed class AddressValidator(ZipDirectory zips)
{
    private const string UnitedStates = "US";

    /// <summary>Normalises and checks <paramref name="input"/> against the ZIP database.</summary>
    public AddressValidationResult Validate(PostalAddress input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var corrections = new List<AddressCorrection>();
        var mismatches = new List<AddressMismatch>();

        var line1 = AddressText.CollapseWhitespace(input.Line1);
        var line2 = AddressText.CollapseWhitespace(input.Line2);
        var givenCity = AddressText.CollapseWhitespace(input.City);
        var givenState = AddressText.CollapseWhitespace(input.State);
        var givenPostalCode = AddressText.CollapseWhitespace(input.PostalCode);
        var givenCountry = AddressText.CollapseWhitespace(input.Country);

        var postalCode = NormalisePostalCode(givenPostalCode);
        var zip = postalCode?[..5];
        var place = zip is null ? null : zips.Find(zip);
        var state = IsTwoLetters(givenState) ? givenState.ToUpperInvariant() : givenState;
        var stateMatchesZip = place is not null && state == place.State;

        if (line1.Length == 0)
        {
            mismatches.Add(Required(Line1, expected: null));
        }

        var city = givenCity;
        if (givenCity.Length == 0)
        {
            mismatches.Add(Required(City, place?.City));
        }
        else if (place is not null && !AddressText.SamePlaceName(givenCity, place.City))
        {
            if (stateMatchesZip)
            {
                city = place.City;
                corrections.Add(new AddressCorrection(City, givenCity, city));
            }
            else
            {
                mismatches.Add(new AddressMismatch(
                    City, $"City \"{givenCity}\" is not the city of ZIP code {zip} ({place.City}).", place.City));
            }
        }

        if (state != givenState)
        {
            corrections.Add(new AddressCorrection(State, givenState, state));
        }

        if (state.Length == 0)
        {
            mismatches.Add(Required(State, place?.State));
        }
        else if (place is not null)
        {
            if (!stateMatchesZip)
            {
                mismatches.Add(new AddressMismatch(
                    State, $"ZIP code {zip} is in {place.State}, not \"{state}\".", place.State));
            }
        }
        else if (!zips.States.Contains(state))
        {
            mismatches.Add(new AddressMismatch(
                State, $"\"{state}\" is not the USPS code of one of the 50 states or DC.", null));
        }

        if (postalCode is null)
        {
            mismatches.Add(givenPostalCode.Length == 0
                ? Required(PostalCode, expected: null)
                : new AddressMismatch(
                    PostalCode, $"\"{givenPostalCode}\" is not a 5-digit ZIP code or a ZIP+4 code (12345-6789).", null));
        }
        else
        {
            if (postalCode != givenPostalCode)
            {
                corrections.Add(new AddressCorrection(PostalCode, givenPostalCode, postalCode));
            }

            if (place is null)
            {
                mismatches.Add(new AddressMismatch(PostalCode, $"ZIP code {zip} does not exist.", null));
            }
        }

        var isUnitedStates = givenCountry.Equals(UnitedStates, StringComparison.OrdinalIgnoreCase);
        var country = isUnitedStates ? UnitedStates : givenCountry;
        if (country != givenCountry)
        {
            corrections.Add(new AddressCorrection(Country, givenCountry, country));
        }

        if (givenCountry.Length == 0)
        {
            mismatches.Add(Required(Country, UnitedStates));
        }
        else if (!isUnitedStates)
        {
            mismatches.Add(new AddressMismatch(
                Country, $"Only US addresses are supported, not \"{givenCountry}\".", UnitedStates));
        }

        var address = new PostalAddress(
            line1, line2.Length == 0 ? null : line2, city, state, postalCode ?? givenPostalCode, country);
        return place is not null && mismatches.Count == 0
            ? AddressValidationResult.Valid(
                address, new Jurisdiction(place.State, place.CountyName, place.CountyFips, place.City), corrections)
            : AddressValidationResult.Invalid(address, corrections, mismatches);
    }

    /// <summary>"12345" and "12345-6789" as given, "123456789" as "12345-6789"; null for anything else.</summary>
    private static string? NormalisePostalCode(string text) => text.Length switch
    {
        5 when IsDigits(text) => text,
        9 when IsDigits(text) => string.Concat(text.AsSpan(0, 5), "-", text.AsSpan(5)),
        10 when text[5] == '-' && IsDigits(text.AsSpan(0, 5)) && IsDigits(text.AsSpan(6)) => text,
        _ => null,
    };

    private static bool IsDigits(ReadOnlySpan<char> text) => !text.ContainsAnyExceptInRange('0', '9');

    private static bool IsTwoLetters(string text) =>
        text.Length == 2 && char.IsAsciiLetter(text[0]) && char.IsAsciiLetter(text[1]);

    private static AddressMismatch Required(string field, string? expected) =>
        new(field, $"{field} is required.", expected);
}
