namespace TenantBilling.Grains.Domain.Addresses;

/// <summary>What the ZIP database says about one 5-digit ZIP code.</summary>
/// <param name="City">The ZIP's default place name, as the database spells it with its casing corrected (<see cref="PlaceNameCasing"/>), e.g. "Los Angeles", "JBPHH".</param>
/// <param name="State">USPS state code, e.g. "CA".</param>
/// <param name="CountyName">The one county the database gives for the ZIP, e.g. "Los Angeles".</param>
/// <param name="CountyFips">Five-digit county FIPS code (state + county) as text, e.g. "06037".</param>
public sealed record ZipPlace(string City, string State, string CountyName, string CountyFips);
