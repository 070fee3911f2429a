using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

/// <summary>
/// One slot of the account's Stripe pace (see <see cref="StripePacerGrain"/>), for background work: booked here,
/// waited for where no grain call is held that long (a timer, or a wait known to be short). Runs book theirs
/// through <see cref="StripeTurns"/>; requests someone waits for take interactive slots there.
/// </summary>
public static class StripePacing
{
    /// <summary>Books the account's next slot: how long until it.</summary>
    public static async Task<TimeSpan> ReserveAsync(IGrainFactory grains, StripeAccess access) =>
        (await grains.GetGrain<IStripePacerGrain>(access.AccountId).ReserveAsync(1, access.Settings.StripeRequestsPerSecond))[0];

    public static Task WaitAsync(TimeSpan wait) => wait > TimeSpan.Zero ? Task.Delay(wait) : Task.CompletedTask;
}
