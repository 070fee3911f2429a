namespace TenantBilling.Grains.Domain;

/// <summary>
/// The one rounding rule of the product: an amount becomes money by rounding to whole cents,
/// half away from zero (0.005 → 0.01), once per invoice line and once per tax line. Totals are sums
/// of rounded lines and are never rounded again.
/// </summary>
public static class Money
{
    public static decimal RoundToCents(decimal amount) => Math.Round(amount, 2, MidpointRounding.AwayFromZero);

    /// <summary>Whole cents for the Stripe boundary. The amount must already be rounded.</summary>
    public static long ToCents(decimal roundedAmount)
    {
        if (roundedAmount != RoundToCents(roundedAmount))
        {
            throw new ArgumentException($"{roundedAmount} is not a whole number of cents.", nameof(roundedAmount));
        }

        return (long)(roundedAmount * 100m);
    }

    /// <summary>Cents as dollars for a message: 123456 → "$1,234.56".</summary>
    public static string FromCentsText(long cents) => (cents / 100m).ToString("$#,0.00;-$#,0.00", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Number of decimal places actually used by a value (1.50 → 1, 0.000001 → 6).</summary>
    public static int DecimalPlaces(decimal value)
    {
        value /= 1.000000000000000000000000000000000m; // strips trailing zeros
        return (decimal.GetBits(value)[3] >> 16) & 0xFF;
    }
}
