namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>A moving average of request durations (each new one weighs a tenth), safe to update from any thread.</summary>
public sealed class RequestLatency(TimeSpan initial)
{
    private long averageTicks = initial.Ticks;

    public TimeSpan Typical => TimeSpan.FromTicks(Interlocked.Read(ref averageTicks));

    public void Add(TimeSpan duration)
    {
        long seen, next;
        do
        {
            seen = Interlocked.Read(ref averageTicks);
            next = seen + ((duration.Ticks - seen) / 10);
        }
        while (Interlocked.CompareExchange(ref averageTicks, next, seen) != seen);
    }
}
