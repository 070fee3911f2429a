using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace TenantBilling.Grains.Domain.Schedule;

/// <summary>A calendar month in UTC, written <c>yyyy-MM</c>.</summary>
public readonly record struct BillingPeriod(int Year, int Month) : IComparable<BillingPeriod>
{
    /// <summary>
    /// The months billing knows: 2000-01 to 2099-12 (the test clock's range too). Later months would
    /// overflow date arithmetic (9999-12 has no next month) and none is real; input outside is a 400.
    /// </summary>
    public const int FirstYear = 2000;

    public const int LastYear = 2099;

    /// <summary>How to write a period, for error messages.</summary>
    public const string Rule = "A month as yyyy-MM from 2000-01 to 2099-12 (e.g. 2026-10).";

    public static BillingPeriod Of(DateTimeOffset instant)
    {
        var utc = instant.ToUniversalTime();
        return new BillingPeriod(utc.Year, utc.Month);
    }

    /// <summary>Parses exactly <c>yyyy-MM</c> within <see cref="FirstYear"/>–<see cref="LastYear"/>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out BillingPeriod period)
    {
        period = default;
        if (text is not { Length: 7 } || text[4] != '-'
            || !int.TryParse(text.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            || !int.TryParse(text.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            || year is < FirstYear or > LastYear || month is < 1 or > 12)
        {
            return false;
        }

        period = new BillingPeriod(year, month);
        return true;
    }

    public static BillingPeriod Parse(string text) =>
        TryParse(text, out var period) ? period : throw new FormatException($"'{text}' is not a period (yyyy-MM).");

    /// <summary>The first instant of the month (00:00 UTC on the 1st).</summary>
    public DateTimeOffset Start => new(Year, Month, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>The first instant after the month.</summary>
    public DateTimeOffset End => Next().Start;

    public int DaysInMonth => DateTime.DaysInMonth(Year, Month);

    public BillingPeriod Next() => Month == 12 ? new(Year + 1, 1) : new(Year, Month + 1);

    /// <summary>A month is closed once its last instant has passed.</summary>
    public bool IsClosedAt(DateTimeOffset now) => End <= now;

    /// <summary>"October 2026".</summary>
    public string DisplayName => Start.ToString("MMMM yyyy", CultureInfo.InvariantCulture);

    public int CompareTo(BillingPeriod other) => (Year, Month).CompareTo((other.Year, other.Month));

    public static bool operator <(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) < 0;

    public static bool operator >(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) > 0;

    public static bool operator <=(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) <= 0;

    public static bool operator >=(BillingPeriod left, BillingPeriod right) => left.CompareTo(right) >= 0;

    public override string ToString() => $"{Year:D4}-{Month:D2}";
}
