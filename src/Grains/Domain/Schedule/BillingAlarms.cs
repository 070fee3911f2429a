namespace TenantBilling.Grains.Domain.Schedule;

/// <summary>
/// When an account's billing alarm goes off for a tenant's invoice. A future due instant (a billing day at
/// 00:00 UTC) is its own alarm, shared by every tenant of the account with that billing day. Something due
/// now is handed over at once; its alarm is the safety net that retries it if that attempt fails or the
/// process stops: the next step of a grid of <c>retryInterval</c> at least one interval away, shared by
/// every tenant of the account due within the same interval.
/// </summary>
public static class BillingAlarms
{
    /// <summary>The longest due time a reminder takes (about 49.7 days); a later instant is re-armed when this one goes off.</summary>
    public static readonly TimeSpan LongestDueTime = TimeSpan.FromMilliseconds(0xfffffffe);

    /// <summary>
    /// The shortest due time registered: a reminder whose start has already passed when the silo schedules it
    /// first ticks a whole period later, so "now" is registered as a moment from now.
    /// </summary>
    public static readonly TimeSpan ShortestDueTime = TimeSpan.FromSeconds(1);

    /// <summary>The alarm for an invoice due at <paramref name="dueAt"/>, as seen at <paramref name="now"/>.</summary>
    public static DateTimeOffset For(DateTimeOffset dueAt, DateTimeOffset now, TimeSpan retryInterval) =>
        dueAt > now ? dueAt : Retry(now, retryInterval);

    /// <summary>The alarm that retries what is due at <paramref name="now"/>: the first grid step at least one interval away.</summary>
    public static DateTimeOffset Retry(DateTimeOffset now, TimeSpan retryInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(retryInterval, TimeSpan.Zero);
        var earliest = now.UtcTicks + retryInterval.Ticks;
        var step = retryInterval.Ticks;
        var ticks = (earliest + step - 1) / step * step;
        return new DateTimeOffset(ticks, TimeSpan.Zero);
    }

    /// <summary>How long until the alarm, within what a reminder can be registered for.</summary>
    public static TimeSpan DueTime(DateTimeOffset instant, DateTimeOffset now)
    {
        var wait = instant - now;
        return wait < ShortestDueTime ? ShortestDueTime : wait > LongestDueTime ? LongestDueTime : wait;
    }

    /// <summary>
    /// The alarm went off clearly before its instant (it was further away than a reminder's longest due time,
    /// or the clock moved back): it is re-armed instead of waking anyone. Going off up to two retry intervals
    /// early still counts as on time.
    /// </summary>
    public static bool IsEarly(DateTimeOffset instant, DateTimeOffset now, TimeSpan retryInterval) => instant - now > 2 * retryInterval;
}
