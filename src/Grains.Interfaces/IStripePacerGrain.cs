using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// Paces one account's Stripe requests across the whole cluster (one activation per account): slots at the
/// account's rate, and no endpoint more often than Stripe's per-endpoint limit. A run of requests (an invoice's
/// steps) is booked at once, so an invoice that has started finishes before invoices that ask later start.
/// A share of the slots is kept for interactive requests (<see cref="BookInteractiveAsync"/>), so booked runs
/// never make someone waiting for an answer wait long.
/// </summary>
public interface IStripePacerGrain : IGrainWithStringKey
{
    /// <summary>Reserves <paramref name="requests"/> consecutive slots; the answer is how long to wait before each.</summary>
    Task<TimeSpan[]> ReserveAsync(int requests, int requestsPerSecond);

    /// <summary>
    /// Books one slot per request of a run, in order, each at least <paramref name="minGap"/> after the one before;
    /// <paramref name="endpoints"/> name each request's Stripe endpoint (method and path template).
    /// </summary>
    Task<StripeSlots> BookAsync(int requestsPerSecond, string[] endpoints, TimeSpan minGap);

    /// <summary>
    /// Books an interactive request's slots (a correction, a connection check), as <see cref="BookAsync"/> does but
    /// in any free slot, those kept for interactive requests included, and only when every one is at most
    /// <paramref name="within"/> away; otherwise books nothing (<see cref="StripeInteractiveSlots.Booked"/> false)
    /// and answers the slots it would have had.
    /// </summary>
    Task<StripeInteractiveSlots> BookInteractiveAsync(int requestsPerSecond, string[] endpoints, TimeSpan minGap, TimeSpan within);

    /// <summary>Gives back booked slots a run did not use.</summary>
    [OneWay]
    Task ReleaseAsync(DateTimeOffset[] slots);
}
