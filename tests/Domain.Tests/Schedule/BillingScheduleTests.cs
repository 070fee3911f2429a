using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Schedule;

public sealed class BillingScheduleTests
{
    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    public static TheoryData<string, int, string, string, DateTimeOffset, DateTimeOffset?> Cases => new()
    {
        // case, billing day, profile's first month, statement period, statement arrives, expected due
        { "May 15 profile, day 20: May bills on June 20", 20, "2026-05", "2026-05", Utc(2026, 6, 1, 13), Utc(2026, 6, 20) },
        { "the profile's first month is never billed in that month", 20, "2026-05", "2026-05", Utc(2026, 6, 2), Utc(2026, 6, 20) },
        { "a month before the profile's first month is never billed", 20, "2026-05", "2026-04", Utc(2026, 5, 16), null },
        { "day 31 in a non-leap February is the 28th", 31, "2027-01", "2027-01", Utc(2027, 2, 1, 12), Utc(2027, 2, 28) },
        { "day 31 in a leap February is the 29th", 31, "2028-01", "2028-01", Utc(2028, 2, 1, 12), Utc(2028, 2, 29) },
        { "day 30 in February is its last day", 30, "2028-01", "2028-01", Utc(2028, 2, 1), Utc(2028, 2, 29) },
        { "day 31 in a 30-day month is the 30th", 31, "2026-03", "2026-03", Utc(2026, 4, 2), Utc(2026, 4, 30) },
        { "day 31 in a 31-day month is the 31st", 31, "2026-04", "2026-04", Utc(2026, 5, 2), Utc(2026, 5, 31) },
        { "December bills in January of the next year", 5, "2026-01", "2026-12", Utc(2027, 1, 2), Utc(2027, 1, 5) },
        { "day 1: the statement arrives after the billing day, so at once", 1, "2026-01", "2026-10", Utc(2026, 11, 2, 9), Utc(2026, 11, 2, 9) },
        { "arriving exactly on the billing instant is not late", 2, "2026-01", "2026-10", Utc(2026, 11, 2), Utc(2026, 11, 2) },
        { "a late statement (months later) is billed at once", 15, "2026-01", "2026-06", Utc(2026, 9, 1), Utc(2026, 9, 1) },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Due_instant_follows_the_rules(string name, int billingDay, string firstPeriod, string period, DateTimeOffset arrivedAt, DateTimeOffset? expected)
    {
        var due = BillingSchedule.DueAt(billingDay, BillingPeriod.Parse(firstPeriod), BillingPeriod.Parse(period), arrivedAt);

        Assert.True(expected == due, $"{name}: expected {expected:O}, got {due:O}");
    }

    [Fact]
    public void A_billing_day_changed_while_pending_moves_the_invoice_if_not_yet_past()
    {
        var first = BillingPeriod.Parse("2026-05");
        var may = BillingPeriod.Parse("2026-05");
        var arrived = Utc(2026, 6, 2);
        Assert.Equal(Utc(2026, 6, 20), BillingSchedule.DueAt(20, first, may, arrived));

        // On June 10 the day moves to 25: still ahead, so the invoice moves with it.
        Assert.Equal(Utc(2026, 6, 25), BillingSchedule.DueAt(25, first, may, Utc(2026, 6, 10)));

        // On June 10 the day moves to 5: that day has passed, so the invoice is due at once.
        Assert.Equal(Utc(2026, 6, 10), BillingSchedule.DueAt(5, first, may, Utc(2026, 6, 10)));
    }

    [Fact]
    public void A_profile_deleted_and_recreated_bills_from_the_month_it_was_recreated()
    {
        // Created May 15 (first month May), deleted June 3, recreated June 10 → first month June.
        var recreatedFirst = BillingPeriod.Of(Utc(2026, 6, 10));
        Assert.Equal(BillingPeriod.Parse("2026-06"), recreatedFirst);

        Assert.Null(BillingSchedule.DueAt(20, recreatedFirst, BillingPeriod.Parse("2026-05"), Utc(2026, 6, 10)));
        Assert.Equal(Utc(2026, 7, 20), BillingSchedule.DueAt(20, recreatedFirst, BillingPeriod.Parse("2026-06"), Utc(2026, 7, 1, 18)));
    }

    [Theory]
    [InlineData(null, "2026-10", "NoBillingProfile")]
    [InlineData("2026-11", "2026-10", "BeforeFirstBilledMonth")]
    [InlineData("2026-11", "2025-12", "BeforeFirstBilledMonth")]
    [InlineData("2026-11", "2026-11", null)]
    [InlineData("2026-11", "2027-03", null)]
    public void A_month_not_billed_is_given_its_reason(string? firstPeriod, string period, string? expected)
    {
        var profile = firstPeriod is null
            ? null
            : new BillingProfile(false, true, 20, new Dictionary<string, decimal>(), [], firstPeriod, Utc(2026, 11, 15), Utc(2026, 11, 15));

        var reason = BillingSchedule.WhyNotScheduled(profile, BillingPeriod.Parse(period));

        Assert.Equal(expected, reason?.Code.ToString());
        if (reason is not null)
        {
            Assert.Contains(period, reason.Message, StringComparison.Ordinal);
        }

        // The rule agrees with the schedule itself: a month has a reason exactly when it gets no due instant.
        Assert.Equal(
            reason is null,
            profile is not null && BillingSchedule.DueAt(profile.BillingDay, BillingPeriod.Parse(profile.FirstPeriod), BillingPeriod.Parse(period), Utc(2026, 11, 15)) is not null);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    public void Billing_days_outside_1_to_31_are_refused(int day) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => BillingSchedule.BillingDate(BillingPeriod.Parse("2026-01"), day));
}

public sealed class BillingPeriodTests
{
    [Theory]
    [InlineData("2026-10", true)]
    [InlineData("2026-1", false)]
    [InlineData("2026-13", false)]
    [InlineData("2026-00", false)]
    [InlineData("1999-12", false)]
    [InlineData("2026/10", false)]
    [InlineData("+026-10", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Parses_only_yyyy_MM(string? text, bool valid) => Assert.Equal(valid, BillingPeriod.TryParse(text, out _));

    [Fact]
    public void A_month_is_open_through_its_last_instant_and_closed_from_the_first_instant_after_it()
    {
        var october = BillingPeriod.Parse("2026-10");
        var firstInstantAfter = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        var lastInstant = firstInstantAfter.AddTicks(-1);   // 2026-10-31T23:59:59.9999999Z

        Assert.False(october.IsClosedAt(october.Start));
        Assert.False(october.IsClosedAt(lastInstant));
        Assert.True(october.IsClosedAt(firstInstantAfter));
        Assert.True(october.IsClosedAt(firstInstantAfter.AddYears(1)));
        // The instant counts, in UTC, not the local date of its offset.
        Assert.True(october.IsClosedAt(new DateTimeOffset(2026, 10, 31, 19, 0, 0, TimeSpan.FromHours(-5))));   // 2026-11-01T00:00Z
        Assert.False(october.IsClosedAt(new DateTimeOffset(2026, 11, 1, 0, 30, 0, TimeSpan.FromHours(1))));    // 2026-10-31T23:30Z
    }

    [Fact]
    public void A_month_is_named_in_english_and_december_is_followed_by_january()
    {
        Assert.Equal("October 2026", BillingPeriod.Parse("2026-10").DisplayName);
        Assert.Equal("2027-01", BillingPeriod.Parse("2026-12").Next().ToString());
    }
}
