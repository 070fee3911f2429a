using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Schedule;

/// <summary>
/// When a month's invoice is sent. Invoices are in arrears: month M is billed on the profile's
/// billing day of month M+1 at 00:00 UTC. A billing day past the end of that month means its last
/// day (day 31 in February is the 28th or 29th). If that instant has already passed when the
/// statement arrives (or when the schedule is recomputed), the invoice is due at once. Months before
/// the profile's first month (the month it was created) are never billed.
/// </summary>
public static class BillingSchedule
{
    public const int FirstBillingDay = 1;
    public const int LastBillingDay = 31;

    /// <summary>The billing day of the month after <paramref name="period"/>, clamped to that month's last day.</summary>
    public static DateTimeOffset BillingDate(BillingPeriod period, int billingDay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(billingDay, FirstBillingDay);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(billingDay, LastBillingDay);
        var sendMonth = period.Next();
        return sendMonth.Start.AddDays(Math.Min(billingDay, sendMonth.DaysInMonth) - 1);
    }

    /// <summary>
    /// The instant the invoice for <paramref name="period"/> is due, as seen at <paramref name="now"/>;
    /// null when the period is before the profile's first month.
    /// </summary>
    public static DateTimeOffset? DueAt(int billingDay, BillingPeriod firstPeriod, BillingPeriod period, DateTimeOffset now)
    {
        if (period < firstPeriod)
        {
            return null;
        }

        var billingDate = BillingDate(period, billingDay);
        return billingDate < now ? now : billingDate;
    }

    /// <summary>
    /// Why month <paramref name="period"/> is not billed under <paramref name="profile"/>, or null when it
    /// is. Without a profile nothing is billed, and a profile set up later bills from its own month on,
    /// so a closed month kept without a profile is never billed either.
    /// </summary>
    public static NotScheduled? WhyNotScheduled(BillingProfile? profile, BillingPeriod period)
    {
        if (profile is null)
        {
            return new NotScheduled(
                NotScheduledCode.NoBillingProfile,
                $"The tenant has no billing profile: the statement for {period} is kept but not billed (a profile bills from the month it is created).");
        }

        var first = BillingPeriod.Parse(profile.FirstPeriod);
        return period < first
            ? new NotScheduled(
                NotScheduledCode.BeforeFirstBilledMonth,
                $"The billing profile bills from {first} (the month it was created); {period} is before that, so it is kept but never billed.")
            : null;
    }

    /// <summary>Why nothing more is scheduled for a month whose invoice was handed over.</summary>
    public static NotScheduled AlreadyInvoiced(BillingPeriod period) =>
        new(NotScheduledCode.AlreadyInvoiced, $"{period} has already been invoiced; its invoice is in the tenant's invoice list.");
}
