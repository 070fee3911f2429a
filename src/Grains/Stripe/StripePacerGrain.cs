using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

/// <summary>
/// One account's Stripe request slots for the whole cluster (<see cref="StripeRequestCalendar"/>): callers wait
/// for their slot, so they are never early; runs and background work may wait long, interactive requests at most
/// <see cref="StripeInteractiveRule.Within"/>. After a move to another silo the calendar starts afresh, which
/// Stripe's short burst allowance absorbs; a 429 anyway is waited out by the caller.
/// </summary>
[GrainType("stripe-pacer")]
public sealed class StripePacerGrain(TimeProvider clock) : Grain, IStripePacerGrain
{
    private StripeRequestCalendar? calendar;

    public Task<TimeSpan[]> ReserveAsync(int requests, int requestsPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);
        var now = clock.GetUtcNow();
        var slots = Calendar(requestsPerSecond, now).Book(now, Enumerable.Repeat(string.Empty, requests).ToArray(), TimeSpan.Zero);
        return Task.FromResult(slots.Select(slot => slot > now ? slot - now : TimeSpan.Zero).ToArray());
    }

    public Task<StripeSlots> BookAsync(int requestsPerSecond, string[] endpoints, TimeSpan minGap)
    {
        var now = clock.GetUtcNow();
        return Task.FromResult(new StripeSlots(now, Calendar(requestsPerSecond, now).Book(now, endpoints, minGap)));
    }

    public Task<StripeInteractiveSlots> BookInteractiveAsync(int requestsPerSecond, string[] endpoints, TimeSpan minGap, TimeSpan within)
    {
        var now = clock.GetUtcNow();
        var (slots, booked) = Calendar(requestsPerSecond, now).BookInteractive(now, endpoints, minGap, within);
        return Task.FromResult(new StripeInteractiveSlots(now, slots, booked));
    }

    public Task ReleaseAsync(DateTimeOffset[] slots)
    {
        calendar?.Release(clock.GetUtcNow(), slots);
        return Task.CompletedTask;
    }

    /// <summary>The calendar at the account's rate; a changed rate starts a new one after every slot already given out.</summary>
    private StripeRequestCalendar Calendar(int requestsPerSecond, DateTimeOffset now)
    {
        if (calendar is null || calendar.RequestsPerSecond != requestsPerSecond)
        {
            var start = calendar is null || calendar.End < now ? now : calendar.End;
            calendar = new StripeRequestCalendar(requestsPerSecond, start);
        }

        return calendar;
    }
}
