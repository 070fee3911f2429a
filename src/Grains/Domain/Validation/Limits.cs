namespace TenantBilling.Grains.Domain.Validation;

/// <summary>The bounds every input is held to, in one place.</summary>
public static class Limits
{
    public const int NameLength = 200;
    public const int EmailLength = 254;
    public const int AddressLineLength = 100;
    public const int CityLength = 64;
    public const int PostalCodeLength = 10;
    public const int DescriptionLength = 200;

    /// <summary>Unit prices: at most 6 decimals (API contract), at most one million USD.</summary>
    public const int PriceDecimals = 6;
    public const decimal MaxUnitPrice = 1_000_000m;

    /// <summary>Quantities: at most 6 decimals, at most one billion (minutes in a month stay far below).</summary>
    public const int QuantityDecimals = 6;
    public const decimal MaxQuantity = 1_000_000_000m;

    /// <summary>A statement's usage total in USD.</summary>
    public const int UsageDecimals = 6;
    public const decimal MaxUsageTotal = 1_000_000_000m;

    public const int MaxRecurringItems = 100;
    public const int MaxOneTimeItems = 100;
}
