using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Domain.Tests.Schedule;

public sealed class BillingAlarmsTests
{
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    private static DateTimeOffset Utc(int day, int hour, int minute, int second = 0, int millisecond = 0) =>
        new(2026, 11, day, hour, minute, second, millisecond, TimeSpan.Zero);

    public static TheoryData<string, DateTimeOffset, DateTimeOffset, DateTimeOffset> AlarmCases => new()
    {
        // case; due; now; alarm
        { "a billing day ahead is its own alarm", Utc(20, 0, 0), Utc(2, 6, 0), Utc(20, 0, 0) },
        { "due now: the retry step at least an interval away", Utc(2, 6, 0), Utc(2, 6, 0), Utc(2, 6, 5) },
        { "due now between steps: the step after the next interval", Utc(2, 6, 1), Utc(2, 6, 1, 30), Utc(2, 6, 10) },
        { "due a moment ago, just before a step", Utc(2, 6, 4), Utc(2, 6, 4, 59, 999), Utc(2, 6, 10) },
        { "overdue for days", Utc(1, 0, 0), Utc(3, 12, 2), Utc(3, 12, 10) },
    };

    [Theory]
    [MemberData(nameof(AlarmCases))]
    public void An_alarm_is_the_billing_day_or_a_shared_retry_step(string name, DateTimeOffset due, DateTimeOffset now, DateTimeOffset alarm) =>
        Assert.True(alarm == BillingAlarms.For(due, now, FiveMinutes), $"{name}: {BillingAlarms.For(due, now, FiveMinutes):O}");

    [Fact]
    public void Every_tenant_due_within_one_interval_shares_one_retry_alarm()
    {
        var alarms = Enumerable.Range(0, 300).Select(s => BillingAlarms.Retry(Utc(2, 6, 5).AddSeconds(s) , FiveMinutes)).Distinct().ToList();

        Assert.Equal([Utc(2, 6, 10), Utc(2, 6, 15)], alarms);   // 06:05:00 → 06:10; 06:05:01–06:09:59 → 06:15
        Assert.All(Enumerable.Range(0, 300), s => Assert.True(BillingAlarms.Retry(Utc(2, 6, 5).AddSeconds(s), FiveMinutes) - Utc(2, 6, 5).AddSeconds(s) >= FiveMinutes));
    }

    [Theory]
    [InlineData(0, 1_000)]                         // due now: a moment from now
    [InlineData(-60_000, 1_000)]                   // passed
    [InlineData(90_000, 90_000)]
    [InlineData(60L * 86_400_000, 4_294_967_294)]  // 60 days: a reminder's longest due time, re-armed when it goes off
    public void The_due_time_stays_within_what_a_reminder_takes(long aheadMs, long expectedMs)
    {
        var now = Utc(2, 6, 0);

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), BillingAlarms.DueTime(now.AddMilliseconds(aheadMs), now));
    }

    [Theory]
    [InlineData(0, false)]
    [InlineData(10 * 60 - 1, false)]   // up to two intervals early counts as on time
    [InlineData(10 * 60 + 1, true)]
    [InlineData(-3600, false)]         // late is never early
    public void An_alarm_going_off_well_before_its_instant_is_early(int secondsEarly, bool early) =>
        Assert.Equal(early, BillingAlarms.IsEarly(Utc(2, 12, 0), Utc(2, 12, 0).AddSeconds(-secondsEarly), FiveMinutes));

    [Theory]
    [InlineData("2026-11-20T00:00:00.0000000+00:00", "acct-1/2026-11-20T00:00:00Z")]
    [InlineData("2026-11-20T06:05:00.0010000+00:00", "acct-1/2026-11-20T06:05:01Z")]   // rounded up to the second
    [InlineData("2026-11-20T01:00:00.0000000-05:00", "acct-1/2026-11-20T06:00:00Z")]   // in UTC
    public void An_alarm_key_names_the_account_and_the_instant_in_whole_utc_seconds(string instant, string key)
    {
        var parsed = DateTimeOffset.Parse(instant, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal(key, GrainKeys.BillingAlarm("acct-1", parsed));
        var (account, back) = GrainKeys.ParseBillingAlarm(key);
        Assert.Equal("acct-1", account);
        Assert.True(back >= parsed && back - parsed < TimeSpan.FromSeconds(1));
        Assert.Throws<FormatException>(() => GrainKeys.ParseBillingAlarm("acct-1"));
    }
}
