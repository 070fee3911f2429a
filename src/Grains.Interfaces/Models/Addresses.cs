namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>A US postal address as the tenant gave it, or as validation normalised it.</summary>
[GenerateSerializer, Immutable, Alias("postal-address")]
public sealed record PostalAddress(
    [property: Id(0)] string Line1,
    [property: Id(1)] string? Line2,
    [property: Id(2)] string City,
    [property: Id(3)] string State,
    [property: Id(4)] string PostalCode,
    [property: Id(5)] string Country);

/// <summary>The tax jurisdiction recorded when an address is validated.</summary>
/// <param name="State">USPS state code, e.g. "TX".</param>
/// <param name="CountyName">County name from the ZIP database.</param>
/// <param name="CountyFips">Five-digit county FIPS code (state + county), kept as text, e.g. "06037".</param>
/// <param name="City">The standardised city (place).</param>
[GenerateSerializer, Immutable, Alias("jurisdiction")]
public sealed record Jurisdiction(
    [property: Id(0)] string State,
    [property: Id(1)] string CountyName,
    [property: Id(2)] string CountyFips,
    [property: Id(3)] string City);

/// <summary>A change validation made to the address as given, as postal validators report it.</summary>
[GenerateSerializer, Immutable, Alias("address-correction")]
public sealed record AddressCorrection(
    [property: Id(0)] string Field,
    [property: Id(1)] string From,
    [property: Id(2)] string To);

/// <summary>A field of the address that does not match the ZIP database, and what it expected.</summary>
[GenerateSerializer, Immutable, Alias("address-mismatch")]
public sealed record AddressMismatch(
    [property: Id(0)] string Field,
    [property: Id(1)] string Message,
    [property: Id(2)] string? Expected);
