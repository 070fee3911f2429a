using System.Diagnostics;

namespace TenantBilling.Grains.Telemetry;

/// <summary>
/// Carries a request's trace into the grain timers it starts. Orleans runs a timer tick with no trace
/// (it deliberately captures nothing from the call that registered it), so the Stripe work an HTTP request
/// sets off in the invoice grain's timer would start a trace of its own. This filter remembers, per
/// activation, the trace of the last call into one of our grains, and runs the next timer tick of that
/// activation inside a span <c>grain timer</c> whose parent is that call: the request, its grain calls and
/// the Stripe requests then form one trace. It does nothing while no one listens to <see cref="SourceName"/>.
/// </summary>
public sealed class TimerTraceContinuation : IIncomingGrainCallFilter
{
    public const string SourceName = "TenantBilling";

    /// <summary>The interface Orleans delivers grain timer ticks through.</summary>
    private static readonly GrainInterfaceType TimerTick = GrainInterfaceType.Create("Orleans.Runtime.IGrainTimerInvoker");

    private static readonly ActivitySource Source = new(SourceName);

    public async Task Invoke(IIncomingGrainCallContext context)
    {
        var grain = context.TargetContext;
        if (!Source.HasListeners() || grain?.GrainInstance?.GetType().Assembly != typeof(TimerTraceContinuation).Assembly)
        {
            await context.Invoke();
            return;
        }

        if (context.InterfaceType == TimerTick)
        {
            var caller = grain.GetComponent<CallerTrace>();
            grain.SetComponent<CallerTrace>(null);
            using var activity = caller is null ? null : Source.StartActivity("grain timer", ActivityKind.Internal, caller.Context);
            activity?.SetTag("orleans.grain.type", grain.GrainId.Type.ToString());
            await context.Invoke();
            return;
        }

        if (CurrentTrace() is { } trace)
        {
            grain.SetComponent(new CallerTrace(trace));
        }

        await context.Invoke();
    }

    /// <summary>The span of this call, or the trace the caller sent along when Orleans' own span is not open yet.</summary>
    private static ActivityContext? CurrentTrace()
    {
        if (Activity.Current is { } current)
        {
            return current.Context;
        }

        return RequestContext.Get("traceparent") is string parent
            && ActivityContext.TryParse(parent, RequestContext.Get("tracestate") as string, isRemote: true, out var context)
            ? context
            : null;
    }

    private sealed record CallerTrace(ActivityContext Context);
}
