using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.TestSupport;

/// <summary>
/// Answers every call to <see cref="IStripeInvoiceGrain"/> from the <see cref="HandOverRecorder"/>
/// instead of the real grain, so the tenant's side of the hand-over is tested alone.
/// </summary>
public sealed class StripeInvoiceDouble(HandOverRecorder recorder) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType != typeof(IStripeInvoiceGrain))
        {
            await context.Invoke();
            return;
        }

        var key = context.TargetId.Key.ToString()!;
        context.Result = context.InterfaceMethod.Name switch
        {
            nameof(IStripeInvoiceGrain.SubmitAsync) => recorder.Submit(key, (InvoiceDraft)context.Request.GetArgument(0)!),
            nameof(IStripeInvoiceGrain.GetSummaryAsync) => recorder.Summary(key),
            nameof(IStripeInvoiceGrain.GetDraftAsync) => recorder.Kept(key),
            _ => throw new NotSupportedException(context.InterfaceMethod.Name),
        };
    }
}
