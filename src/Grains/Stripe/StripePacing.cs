using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

/// <summary>Waits for the account's next Stripe request slot (see <see cref="StripePacerGrain"/>).</summary>
public static class StripePacing
{
    public static async Task WaitTurnAsync(IGrainFactory grains, StripeAccess access) => await WaitAsync(await ReserveAsync(grains, access));

    /// <summary>Books the account's next slot: how long until it.</summary>
    public static async Task<TimeSpan> ReserveAsync(IGrainFactory grains, StripeAccess access) =>
        (await grains.GetGrain<IStripePacerGrain>(access.AccountId).ReserveAsync(1, access.Settings.StripeRequestsPerSecond))[0];

    public static Task WaitAsync(TimeSpan wait) => wait > TimeSpan.Zero ? Task.Delay(wait) : Task.CompletedTask;
}
