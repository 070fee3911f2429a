using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains;

/// <summary>
/// The clock in test mode: real UTC time shifted by the offset of the cluster's test clock
/// (<see cref="ITestClockGrain"/>), which the portal's QA sets through <c>POST /v1/test-clock</c> to
/// rehearse a month end. Everything that schedules reads time from the injected billing
/// <see cref="TimeProvider"/>, so moving this clock moves the schedule. Each process has one, kept to
/// the cluster's setting by the silo's test clock sync (src/Silo/Hosting) or the API's own reads.
/// </summary>
public sealed class TestClock(TimeProvider real) : TimeProvider
{
    private TestClockSetting _setting = TestClockSetting.RealTime;

    /// <summary>The time the offset is added to.</summary>
    public TimeProvider Real => real;

    public TestClockSetting Setting => Volatile.Read(ref _setting);

    public TimeSpan Offset => Setting.Offset;

    public override DateTimeOffset GetUtcNow() => real.GetUtcNow() + Offset;

    public override long GetTimestamp() => real.GetTimestamp();

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>The setting that makes "now" read as <paramref name="now"/>, one version after the current one.</summary>
    public TestClockSetting SettingFor(DateTimeOffset now, long currentVersion) => new(currentVersion + 1, now - real.GetUtcNow());

    /// <summary>Takes <paramref name="setting"/> unless a newer one is already in use.</summary>
    public void Apply(TestClockSetting setting)
    {
        var current = Volatile.Read(ref _setting);
        while (setting.Version > current.Version)
        {
            var seen = Interlocked.CompareExchange(ref _setting, setting, current);
            if (ReferenceEquals(seen, current))
            {
                return;
            }

            current = seen;
        }
    }
}
