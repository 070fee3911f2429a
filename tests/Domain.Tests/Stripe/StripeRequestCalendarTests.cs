using TenantBilling.Grains.Domain.Stripe;

namespace TenantBilling.Domain.Tests.Stripe;

/// <summary>One account's Stripe request slots: the global rate, the per-endpoint rate, runs booked at once, slots given back.</summary>
public sealed class StripeRequestCalendarTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);

    private static readonly string[] Run = [StripeEndpoints.CreateInvoice, StripeEndpoints.AddLines, StripeEndpoints.Finalize, StripeEndpoints.Send];

    [Theory]
    [InlineData(25, 40)]
    [InlineData(100, 10)]
    [InlineData(3, 334)]
    public void Slots_are_never_closer_than_the_accounts_rate(int perSecond, int intervalMs)
    {
        var calendar = new StripeRequestCalendar(perSecond, T0);
        var slots = calendar.Book(T0, Enumerable.Repeat(string.Empty, 10).ToArray(), TimeSpan.Zero);

        Assert.Equal(T0, slots[0]);
        Assert.All(slots.Zip(slots.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMilliseconds(intervalMs - 1)));
        Assert.True(calendar.Interval >= TimeSpan.FromMilliseconds(intervalMs - 1));
    }

    [Fact]
    public void A_run_keeps_its_slots_a_gap_apart_and_a_later_run_fills_the_slots_between()
    {
        var calendar = new StripeRequestCalendar(25, T0);
        var first = calendar.Book(T0, Run, TimeSpan.FromMilliseconds(100));
        var second = calendar.Book(T0, Run, TimeSpan.FromMilliseconds(100));

        Assert.All(first.Zip(first.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMilliseconds(100)));
        Assert.True(second[0] < first[^1]);                    // it starts in the first run's gaps...
        Assert.Empty(first.Intersect(second));                  // ...never on its slots
        Assert.Equal(first[^1], first.Concat(second).Where(s => s <= first[^1]).Max()); // the first run ends no later for it
        Assert.Equal(8, calendar.BookedFrom(T0));
    }

    [Fact]
    public void At_the_live_rate_one_endpoint_gets_at_most_its_own_rate()
    {
        var calendar = new StripeRequestCalendar(StripeRateLimits.LiveModePerSecond, T0);
        var creates = calendar.Book(T0, Enumerable.Repeat(StripeEndpoints.CreateInvoice, 50).ToArray(), TimeSpan.Zero);
        var mixed = calendar.Book(T0, Enumerable.Repeat(StripeEndpoints.Send, 3).ToArray(), TimeSpan.Zero);

        Assert.All(creates.Zip(creates.Skip(1)), pair => Assert.True(pair.Second - pair.First >= TimeSpan.FromMilliseconds(40)));
        Assert.True(creates.Count(s => s < T0.AddSeconds(1)) <= StripeRateLimits.EndpointPerSecond);
        Assert.True(mixed[0] < creates[1]);   // another endpoint uses the slots in between
    }

    [Fact]
    public void Slots_given_back_are_booked_again_and_past_ones_are_gone()
    {
        var calendar = new StripeRequestCalendar(10, T0);
        var booked = calendar.Book(T0, ["", "", "", ""], TimeSpan.Zero);

        calendar.Release(T0.AddMilliseconds(150), booked);   // the first two have passed

        Assert.Equal(2, calendar.BookedFrom(T0));
        var again = calendar.Book(T0.AddMilliseconds(150), [""], TimeSpan.Zero);
        Assert.Equal(booked[2], again[0]);
    }

    [Fact]
    public void A_booking_never_starts_in_the_past()
    {
        var calendar = new StripeRequestCalendar(25, T0);
        var later = T0.AddSeconds(10).AddMilliseconds(7);

        var slot = Assert.Single(calendar.Book(later, [""], TimeSpan.Zero));

        Assert.True(slot >= later && slot - later < calendar.Interval);
    }

    [Theory]
    [InlineData(25)]
    [InlineData(100)]
    [InlineData(5)]
    public void Runs_booked_far_ahead_leave_a_kept_slot_that_an_interactive_request_gets_within_the_bound(int perSecond)
    {
        var calendar = new StripeRequestCalendar(perSecond, T0);
        var run = calendar.Book(T0, Enumerable.Repeat(string.Empty, perSecond * 120).ToArray(), TimeSpan.Zero);   // two minutes of runs, and more
        var now = T0.AddSeconds(30).AddMilliseconds(3);

        var (slots, booked) = calendar.BookInteractive(now, [StripeEndpoints.ReadAccount], TimeSpan.Zero, StripeInteractiveRule.Within);

        Assert.True(booked);
        var slot = Assert.Single(slots);
        Assert.True(slot >= now && slot - now <= TimeSpan.FromSeconds(Math.Max(1.0, 10.0 / perSecond)));
        Assert.DoesNotContain(slot, run);
        // The runs kept to the rate less the kept share, never less.
        var keptEvery = StripeInteractiveRule.KeptEvery(perSecond);
        Assert.Equal(keptEvery - 1, run.Count(s => s < T0 + TimeSpan.FromTicks(calendar.Interval.Ticks * keptEvery)));
    }

    [Fact]
    public void An_interactive_request_takes_the_earliest_free_slot_kept_or_not()
    {
        var calendar = new StripeRequestCalendar(25, T0);

        var (slots, booked) = calendar.BookInteractive(T0, ["", ""], TimeSpan.Zero, StripeInteractiveRule.Within);

        Assert.True(booked);
        Assert.Equal([T0, T0 + calendar.Interval], slots);
    }

    [Fact]
    public void An_interactive_booking_past_the_bound_books_nothing_and_says_where_its_slots_would_be()
    {
        var calendar = new StripeRequestCalendar(10, T0);
        var everything = calendar.BookInteractive(T0, Enumerable.Repeat(string.Empty, 600).ToArray(), TimeSpan.Zero, TimeSpan.FromMinutes(2)).Slots;   // every slot for a minute
        var before = calendar.BookedFrom(T0);

        var (slots, booked) = calendar.BookInteractive(T0, ["", ""], TimeSpan.Zero, StripeInteractiveRule.Within);

        Assert.False(booked);
        Assert.Equal([everything[^1] + calendar.Interval, everything[^1] + calendar.Interval * 2], slots);
        Assert.Equal(before, calendar.BookedFrom(T0));
        Assert.Equal(everything[^1] + calendar.Interval, calendar.End);   // a rate change after it would not start later
        Assert.Equal(slots[0], Assert.Single(calendar.Book(T0, [""], TimeSpan.Zero)));   // the refused slots are still free
    }

    [Theory]
    [InlineData(1, 10)]
    [InlineData(9, 10)]
    [InlineData(10, 10)]
    [InlineData(25, 25)]
    [InlineData(100, 100)]
    public void One_slot_a_second_is_kept_and_one_in_ten_below_ten_requests_a_second(int perSecond, int every) =>
        Assert.Equal(every, StripeInteractiveRule.KeptEvery(perSecond));

    [Theory]
    [InlineData(3.5, 1)]      // within the bound after all (a slot moved): come back at once
    [InlineData(4.2, 2)]
    [InlineData(63.0, 60)]
    public void Retry_after_says_the_seconds_until_the_slots_would_be_within_the_bound(double lastSlotInSeconds, int seconds) =>
        Assert.Equal(TimeSpan.FromSeconds(seconds), StripeInteractiveRule.RetryAfter(T0, T0.AddSeconds(lastSlotInSeconds)));
}
