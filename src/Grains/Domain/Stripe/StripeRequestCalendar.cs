using System.Numerics;

namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>
/// One account's Stripe request slots, at its rate. Stripe limits each account globally (25 requests a
/// second in test mode, 100 in live mode) and each endpoint on its own (25 a second unless Stripe says
/// otherwise, live mode included; <see cref="StripeRateLimits"/>). Slots are evenly spaced at the global
/// rate; two requests to one endpoint never get slots closer than the endpoint rate allows.
/// <para>
/// A run of requests is booked at once (<see cref="Book"/>): the first at the earliest free slot, each next
/// one at least a gap after the one before (the time a request takes), so an invoice that has started keeps
/// its slots and finishes before invoices that ask later start. Slots a run did not use can be given back
/// (<see cref="Release"/>) for later bookings.
/// </para>
/// <para>
/// One slot in every <see cref="InteractiveEvery"/> (one a second at 10 requests a second and more, one in ten
/// below) is kept for interactive requests (a correction, a connection check: someone is waiting for the answer):
/// runs never book it, so however far ahead runs have booked, an interactive request finds a slot within about a
/// second (<see cref="BookInteractive"/>; <see cref="StripeInteractiveRule"/>). Interactive requests take the
/// earliest free slot, kept or not.
/// </para>
/// </summary>
public sealed class StripeRequestCalendar
{
    private readonly long intervalTicks;
    private readonly int endpointSpacing;
    private readonly DateTimeOffset origin;

    /// <summary>Taken slots from <see cref="firstWordIndex"/> × 64 on, one bit each.</summary>
    private readonly List<ulong> taken = [];

    /// <summary>The endpoint of each booked slot, kept only when the endpoint rate is below the global rate.</summary>
    private readonly Dictionary<long, string> endpointOf = [];

    private long firstWordIndex;
    private long lastBooked = -1;

    /// <param name="origin">The time of slot 0 (slots before it do not exist).</param>
    public StripeRequestCalendar(int requestsPerSecond, DateTimeOffset origin, int endpointPerSecond = StripeRateLimits.EndpointPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requestsPerSecond, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(endpointPerSecond, 1);
        RequestsPerSecond = requestsPerSecond;
        this.origin = origin;
        intervalTicks = (TimeSpan.TicksPerSecond + requestsPerSecond - 1) / requestsPerSecond;
        endpointSpacing = Math.Max(1, (requestsPerSecond + endpointPerSecond - 1) / endpointPerSecond);
        InteractiveEvery = StripeInteractiveRule.KeptEvery(requestsPerSecond);
    }

    /// <summary>Every this many slots, one (the last) is kept for interactive requests.</summary>
    public int InteractiveEvery { get; }

    public int RequestsPerSecond { get; }

    /// <summary>The time between two slots: never faster than the rate.</summary>
    public TimeSpan Interval => TimeSpan.FromTicks(intervalTicks);

    /// <summary>The slot after the last one booked: where a calendar for a new rate may start without overlapping this one.</summary>
    public DateTimeOffset End => SlotTime(lastBooked + 1);

    /// <summary>
    /// Books one slot per request, in order: the first at the earliest free slot from <paramref name="now"/>, each
    /// next at least <paramref name="minGap"/> (and one slot) after the one before; a request waits for a slot
    /// further on while its endpoint was booked too recently around it. An empty endpoint name is no endpoint.
    /// </summary>
    public DateTimeOffset[] Book(DateTimeOffset now, IReadOnlyList<string> endpoints, TimeSpan minGap) => Book(now, endpoints, minGap, interactive: false);

    /// <summary>
    /// Books an interactive request's slots, as <see cref="Book(DateTimeOffset, IReadOnlyList{string}, TimeSpan)"/>
    /// does but in any free slot, kept ones included, only when every one is at most <paramref name="within"/> from
    /// <paramref name="now"/>. Otherwise nothing is booked, and the answer has the slots it would have had.
    /// </summary>
    public (DateTimeOffset[] Slots, bool Booked) BookInteractive(DateTimeOffset now, IReadOnlyList<string> endpoints, TimeSpan minGap, TimeSpan within)
    {
        var lastBefore = lastBooked;
        var slots = Book(now, endpoints, minGap, interactive: true);
        if (slots.Length == 0 || slots[^1] <= now + within)
        {
            return (slots, true);
        }

        Release(now, slots);
        lastBooked = lastBefore;
        return (slots, false);
    }

    private DateTimeOffset[] Book(DateTimeOffset now, IReadOnlyList<string> endpoints, TimeSpan minGap, bool interactive)
    {
        var nowIndex = IndexAtOrAfter(now);
        Trim(nowIndex);
        nowIndex = Math.Max(nowIndex, firstWordIndex << 6);
        var gap = Math.Max(1, (minGap.Ticks + intervalTicks - 1) / intervalTicks);
        var times = new DateTimeOffset[endpoints.Count];
        var previous = nowIndex - gap;
        for (var i = 0; i < endpoints.Count; i++)
        {
            var slot = FirstFree(Math.Max(nowIndex, previous + gap), interactive);
            while (!EndpointAllows(endpoints[i], slot))
            {
                slot = FirstFree(slot + 1, interactive);
            }

            Take(slot, endpoints[i]);
            times[i] = SlotTime(slot);
            previous = slot;
        }

        return times;
    }

    /// <summary>Gives back booked slots that were not used; past ones are gone anyway.</summary>
    public void Release(DateTimeOffset now, IEnumerable<DateTimeOffset> slots)
    {
        var nowIndex = IndexAtOrAfter(now);
        foreach (var time in slots)
        {
            var ticks = (time - origin).Ticks;
            if (ticks < 0 || ticks % intervalTicks != 0)
            {
                continue;
            }

            var slot = ticks / intervalTicks;
            if (slot >= nowIndex && IsTaken(slot))
            {
                var (word, bit) = Position(slot);
                taken[word] &= ~(1UL << bit);
                endpointOf.Remove(slot);
            }
        }
    }

    /// <summary>How many slots from <paramref name="now"/> on are booked.</summary>
    public int BookedFrom(DateTimeOffset now)
    {
        var from = IndexAtOrAfter(now);
        var count = 0;
        for (var word = 0; word < taken.Count; word++)
        {
            var start = (firstWordIndex + word) * 64;
            var bits = taken[word];
            if (start + 63 < from)
            {
                continue;
            }

            if (start < from)
            {
                bits &= ulong.MaxValue << (int)(from - start);
            }

            count += BitOperations.PopCount(bits);
        }

        return count;
    }

    private DateTimeOffset SlotTime(long slot) => origin + TimeSpan.FromTicks(slot * intervalTicks);

    private long IndexAtOrAfter(DateTimeOffset time)
    {
        var ticks = (time - origin).Ticks;
        return ticks <= 0 ? 0 : (ticks + intervalTicks - 1) / intervalTicks;
    }

    private (int Word, int Bit) Position(long slot) => ((int)((slot >> 6) - firstWordIndex), (int)(slot & 63));

    private bool IsTaken(long slot)
    {
        var (word, bit) = Position(slot);
        return word >= 0 && word < taken.Count && (taken[word] & (1UL << bit)) != 0;
    }

    /// <summary>The first slot from <paramref name="from"/> on that is free and, unless <paramref name="interactive"/>, not kept for interactive requests.</summary>
    private long FirstFree(long from, bool interactive)
    {
        var slot = FirstFree(from);
        while (!interactive && slot % InteractiveEvery == InteractiveEvery - 1)
        {
            slot = FirstFree(slot + 1);
        }

        return slot;
    }

    private long FirstFree(long from)
    {
        var (word, bit) = Position(from);
        while (word < taken.Count)
        {
            var free = ~taken[word] & (ulong.MaxValue << bit);
            if (free != 0)
            {
                return ((firstWordIndex + word) << 6) + BitOperations.TrailingZeroCount(free);
            }

            word++;
            bit = 0;
        }

        return Math.Max(from, (firstWordIndex + taken.Count) << 6);
    }

    private bool EndpointAllows(string endpoint, long slot)
    {
        if (endpointSpacing == 1 || endpoint.Length == 0)
        {
            return true;
        }

        for (var near = slot - endpointSpacing + 1; near < slot + endpointSpacing; near++)
        {
            if (near != slot && endpointOf.TryGetValue(near, out var other) && other == endpoint)
            {
                return false;
            }
        }

        return true;
    }

    private void Take(long slot, string endpoint)
    {
        var (word, bit) = Position(slot);
        while (word >= taken.Count)
        {
            taken.Add(0);
        }

        taken[word] |= 1UL << bit;
        if (endpointSpacing > 1 && endpoint.Length > 0)
        {
            endpointOf[slot] = endpoint;
        }

        lastBooked = Math.Max(lastBooked, slot);
    }

    /// <summary>Forgets the slots before <paramref name="nowIndex"/> (whole words of them), so the calendar holds only the future.</summary>
    private void Trim(long nowIndex)
    {
        var pastWords = (int)Math.Min(taken.Count, (nowIndex >> 6) - firstWordIndex);
        if (pastWords > 0)
        {
            taken.RemoveRange(0, pastWords);
            firstWordIndex += pastWords;
        }
        else if (pastWords < 0)
        {
            return;
        }

        if (taken.Count == 0)
        {
            firstWordIndex = nowIndex >> 6;
        }

        if (endpointOf.Count > 1024)
        {
            foreach (var old in endpointOf.Keys.Where(k => k < nowIndex - endpointSpacing).ToList())
            {
                endpointOf.Remove(old);
            }
        }
    }
}
