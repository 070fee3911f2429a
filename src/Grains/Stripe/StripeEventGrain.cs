using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

/// <summary>
/// Thin events carry no invoice, so the invoice is read from the Stripe the event came from — current,
/// so events arriving out of order never matter — and applied like a snapshot event.
/// <para>
/// The read is background work in the account's pace: it books its slot like a run does. A slot at most
/// <see cref="StripeInteractiveRule.Within"/> away is waited for in the call, which answers what it applied. A
/// slot further away (a billing run has booked the account's pace ahead) is never waited for in the call, which
/// would hold this worker and the webhook's request past their bounds: the read comes back at the slot on a timer,
/// and the call answers 503 with Retry-After at once, so Stripe delivers the event again. The redelivery reads the
/// invoice again and changes nothing once the timer applied it; it applies the event if the timer's read was lost
/// with its silo or failed.
/// </para>
/// </summary>
[StatelessWorker]
[GrainType("stripe-event")]
public sealed partial class StripeEventGrain(IStripeGateway stripe, ILogger<StripeEventGrain> logger) : Grain, IStripeEventGrain
{
    public async Task<bool> ApplyThinInvoiceEventAsync(string accountId, string? stripeAccountId, string eventId, string type, string stripeInvoiceId)
    {
        if (await SameStripeAsync(accountId, stripeAccountId) is not { } access)
        {
            return false;
        }

        var wait = await StripePacing.ReserveAsync(GrainFactory, access);
        if (wait > StripeInteractiveRule.Within)
        {
            ReadAtSlot(wait, accountId, stripeAccountId, eventId, type, stripeInvoiceId);
            throw new BillingProblemException(
                ProblemKind.Unavailable,
                "The account's Stripe requests are booked ahead (a billing run is under way): the invoice is read at its slot; Stripe delivers the event again, which changes nothing once it is applied.")
            {
                RetryAfter = TimeSpan.FromSeconds(Math.Ceiling(wait.TotalSeconds)),
            };
        }

        await StripePacing.WaitAsync(wait);
        return await ReadAndApplyAsync(access, accountId, stripeAccountId, eventId, type, stripeInvoiceId);
    }

    /// <summary>The account's Stripe access when the event came from the Stripe it is connected to now, else null.</summary>
    private async Task<StripeAccess?> SameStripeAsync(string accountId, string? stripeAccountId)
    {
        var access = await GrainFactory.GetGrain<IAccountGrain>(accountId).GetStripeAccessAsync();
        var sameStripe = access switch
        {
            { Mode: StripeConnectionMode.Connect } => stripeAccountId is not null && access.StripeAccountId == stripeAccountId,
            { Mode: StripeConnectionMode.SecretKey } => stripeAccountId is null,
            _ => false,
        };
        return sameStripe ? access : null;
    }

    /// <summary>Reads the invoice at its booked slot, <paramref name="due"/> from now, and applies the event (once; Stripe's redelivery covers a failure).</summary>
    private void ReadAtSlot(TimeSpan due, string accountId, string? stripeAccountId, string eventId, string type, string stripeInvoiceId)
    {
        IGrainTimer? timer = null;
        timer = this.RegisterGrainTimer(
            async _ =>
            {
                timer!.Dispose();
                try
                {
                    if (await SameStripeAsync(accountId, stripeAccountId) is { } access)
                    {
                        await ReadAndApplyAsync(access, accountId, stripeAccountId, eventId, type, stripeInvoiceId);
                    }
                }
                catch (Exception failure) when (failure is not OutOfMemoryException)
                {
                    LogReadAtSlotFailed(logger, failure, accountId, eventId);
                }
            },
            new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
    }

    /// <summary>Reads the invoice now (the caller's slot has come) and applies the event to our invoice it names.</summary>
    private async Task<bool> ReadAndApplyAsync(StripeAccess access, string accountId, string? stripeAccountId, string eventId, string type, string stripeInvoiceId)
    {
        StripeInvoiceSnapshot invoice;
        try
        {
            invoice = await stripe.GetInvoiceAsync(access, stripeInvoiceId, readCustomer: false, CancellationToken.None);
        }
        catch (StripeCallException failure) when (failure.Code == "resource_missing")
        {
            return false;
        }
        catch (StripeCallException failure)
        {
            // Stripe redelivers an event answered with an error: a 503 asks it to.
            throw new BillingProblemException(ProblemKind.Unavailable, $"The invoice could not be read from Stripe ({failure.Message}); Stripe will deliver the event again.");
        }

        if (invoice.InvoiceKey is not { } invoiceKey || !invoiceKey.StartsWith($"{accountId}/", StringComparison.Ordinal))
        {
            return false;
        }

        return await GrainFactory.GetGrain<IStripeInvoiceGrain>(invoiceKey).ApplyStripeEventAsync(new StripeInvoiceEvent(
            eventId, type, invoice.Id, invoice.Status, invoice.Number, invoice.AmountDue, invoice.AmountPaid, invoice.HostedInvoiceUrl, stripeAccountId,
            type == "invoice.payment_failed" ? "Stripe reported the payment failed." : null));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Account {AccountId}: the invoice of Stripe event {EventId} could not be read or applied at its slot; Stripe delivers the event again")]
    private static partial void LogReadAtSlotFailed(ILogger logger, Exception exception, string accountId, string eventId);
}
