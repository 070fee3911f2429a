using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// Paces one account's Stripe requests across the whole cluster (one activation per account): slots at the
/// account's rate, and no endpoint more often than Stripe's per-endpoint limit. A run of requests (an invoice's
/// steps) is booked at once, so an invoice that has started finishes before invoices that ask later start.
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

    /// <summary>Gives back booked slots a run did not use.</summary>
    [OneWay]
    Task ReleaseAsync(DateTimeOffset[] slots);
}
