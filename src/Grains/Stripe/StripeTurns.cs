using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

/// <summary>
/// The slots one invoice's run booked at once (<see cref="IStripePacerGrain.BookAsync"/>), in order, as times on
/// this silo's clock: each request takes the next; one that needs a slot when none is left books one more.
/// <para>
/// For an interactive request (<paramref name="interactive"/>: a correction, a connection check), every booking is
/// interactive (<see cref="IStripePacerGrain.BookInteractiveAsync"/>): within <see cref="StripeInteractiveRule.Within"/>,
/// or nothing is booked and the request is refused with a 503 whose Retry-After comes from the slots it would have had.
/// </para>
/// </summary>
public sealed class StripeTurns(IGrainFactory grains, TimeProvider time, bool interactive = false)
{
    private readonly LinkedList<(DateTimeOffset Local, DateTimeOffset Slot)> booked = new();
    private string? accountId;

    public int Left => booked.Count;

    /// <summary>Books one slot per request of <paramref name="endpoints"/>, at least <paramref name="minGap"/> apart.</summary>
    public async Task BookAsync(StripeAccess access, IReadOnlyList<string> endpoints, TimeSpan minGap)
    {
        if (endpoints.Count == 0)
        {
            return;
        }

        var pacer = grains.GetGrain<IStripePacerGrain>(access.AccountId);
        var slots = interactive
            ? Booked(await pacer.BookInteractiveAsync(access.Settings.StripeRequestsPerSecond, [.. endpoints], minGap, StripeInteractiveRule.Within))
            : await pacer.BookAsync(access.Settings.StripeRequestsPerSecond, [.. endpoints], minGap);
        var local = time.GetUtcNow();
        foreach (var slot in slots.Slots)
        {
            booked.AddLast((local + (slot - slots.At), slot));
        }

        accountId = access.AccountId;
    }

    /// <summary>Takes the next slot (booking one when none is left): how long until it.</summary>
    public async Task<TimeSpan> TakeAsync(StripeAccess access, string endpoint)
    {
        if (booked.Count == 0)
        {
            await BookAsync(access, [endpoint], TimeSpan.Zero);
        }

        var next = booked.First!.Value;
        booked.RemoveFirst();
        var wait = next.Local - time.GetUtcNow();
        LastTaken = next;
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>The slot last taken was not used: it is the next one again.</summary>
    public void Untake()
    {
        if (LastTaken is { } last)
        {
            booked.AddFirst(last);
            LastTaken = null;
        }
    }

    /// <summary>Gives the slots not used back to the pacer (the run stops here).</summary>
    public void ReleaseAll()
    {
        if (booked.Count > 0 && accountId is not null)
        {
            _ = grains.GetGrain<IStripePacerGrain>(accountId).ReleaseAsync(booked.Select(b => b.Slot).ToArray());
        }

        booked.Clear();
        LastTaken = null;
    }

    private (DateTimeOffset Local, DateTimeOffset Slot)? LastTaken { get; set; }

    private static StripeSlots Booked(StripeInteractiveSlots slots) => slots.Booked
        ? new StripeSlots(slots.At, slots.Slots)
        : throw new BillingProblemException(
            ProblemKind.Unavailable,
            "The account's Stripe requests are booked for the next seconds (a billing run is under way); nothing was sent or changed: send the request again after Retry-After.")
        {
            RetryAfter = StripeInteractiveRule.RetryAfter(slots.At, slots.Slots[^1]),
        };
}
