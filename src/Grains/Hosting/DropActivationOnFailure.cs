using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Hosting;

/// <summary>
/// When a call into one of our grains fails unexpectedly (a storage write, a timeout), the activation's
/// state in memory may be ahead of what was stored: a retried request would then look like a duplicate
/// of work that was never saved. So the activation is dropped and the next call starts from storage.
/// Expected failures (<see cref="BillingProblemException"/>) are raised before anything changes and keep it.
/// </summary>
public sealed class DropActivationOnFailure : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception exception) when (exception is not BillingProblemException && IsOurs(context.TargetContext))
        {
            Drop(context.TargetContext, exception);
            throw;
        }
    }

    /// <summary>
    /// Drops the activation after a failure outside a grain call (a grain timer) too. The reason carries no
    /// exception on purpose: requests already waiting are then passed to the next activation instead of
    /// being failed with the error that caused the drop.
    /// </summary>
    public static void Drop(IGrainContext grain, Exception exception) =>
        grain.Deactivate(new DeactivationReason(
            DeactivationReasonCode.ApplicationRequested, $"An unexpected failure ({exception.GetType().Name}) may have left its state ahead of storage."));

    private static bool IsOurs(IGrainContext? target) => target?.GrainInstance?.GetType().Assembly == typeof(DropActivationOnFailure).Assembly;
}
