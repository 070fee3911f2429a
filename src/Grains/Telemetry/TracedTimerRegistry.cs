using System.Diagnostics;
using Orleans.Timers;

namespace TenantBilling.Grains.Telemetry;

/// <summary>
/// Carries a call's trace into the grain timers it registers. Orleans runs a timer tick with nothing of
/// the call that registered it (by design), so the Stripe work an HTTP request sets off in the invoice
/// grain's timer would start a trace of its own. Wrapping Orleans' timer registry, each tick of a timer
/// registered during a traced call runs inside a span <c>grain timer</c>: a child of that call for a
/// one-shot timer (the request, its grain calls and the Stripe requests form one trace), and a new trace
/// linked to it for a periodic one. Nothing changes while no one listens to <see cref="SourceName"/>.
/// </summary>
public sealed class TracedTimerRegistry(ITimerRegistry inner) : ITimerRegistry
{
    public const string SourceName = "TenantBilling";

    private static readonly ActivitySource Source = new(SourceName);

    [Obsolete("Use RegisterGrainTimer.")]
    public IDisposable RegisterTimer(IGrainContext grainContext, Func<object?, Task> callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.RegisterTimer(grainContext, callback, state, dueTime, period);

    public IGrainTimer RegisterGrainTimer<TState>(IGrainContext grainContext, Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        if (!Source.HasListeners() || Activity.Current is not { } caller)
        {
            return inner.RegisterGrainTimer(grainContext, callback, state, options);
        }

        var registeredBy = caller.Context;
        var grainType = grainContext.GrainId.Type.ToString();
        var oneShot = options.Period == Timeout.InfiniteTimeSpan;
        return inner.RegisterGrainTimer(
            grainContext,
            async (s, cancellationToken) =>
            {
                using var activity = oneShot
                    ? Source.StartActivity("grain timer", ActivityKind.Internal, registeredBy)
                    : Source.StartActivity("grain timer", ActivityKind.Internal, default(ActivityContext), links: [new ActivityLink(registeredBy)]);
                activity?.SetTag("orleans.grain.type", grainType);
                await callback(s, cancellationToken);
            },
            state,
            options);
    }
}
