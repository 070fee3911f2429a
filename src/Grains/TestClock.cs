namespace TenantBilling.Grains;

/// <summary>
/// The clock in test mode: real UTC time shifted by an offset the portal's QA sets through
/// <c>POST /v1/test-clock</c>, so a month end can be rehearsed. Everything that schedules reads
/// time from the injected <see cref="TimeProvider"/>, so moving this clock moves the schedule.
/// </summary>
public sealed class TestClock(TimeProvider inner) : TimeProvider
{
    private long _offsetTicks;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + Offset;

    public override long GetTimestamp() => inner.GetTimestamp();

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>Makes "now" read as <paramref name="now"/> from this moment on.</summary>
    public void Set(DateTimeOffset now) => Interlocked.Exchange(ref _offsetTicks, (now - inner.GetUtcNow()).Ticks);
}
