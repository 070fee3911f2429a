using Orleans.Concurrency;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Stripe;

/// <summary>
/// Thin events carry no invoice, so the invoice is read from the Stripe the event came from — current,
/// so events arriving out of order never matter — and applied like a snapshot event.
/// </summary>
[StatelessWorker]
[GrainType("stripe-event")]
public sealed class StripeEventGrain(IStripeGateway stripe) : Grain, IStripeEventGrain
{
    public async Task<bool> ApplyThinInvoiceEventAsync(string accountId, string? stripeAccountId, string eventId, string type, string stripeInvoiceId)
    {
        var access = await GrainFactory.GetGrain<IAccountGrain>(accountId).GetStripeAccessAsync();
        var sameStripe = access switch
        {
            { Mode: StripeConnectionMode.Connect } => stripeAccountId is not null && access.StripeAccountId == stripeAccountId,
            { Mode: StripeConnectionMode.SecretKey } => stripeAccountId is null,
            _ => false,
        };
        if (!sameStripe)
        {
            return false;
        }

        StripeInvoiceSnapshot invoice;
        try
        {
            await StripePacing.WaitTurnAsync(GrainFactory, access!);
            invoice = await stripe.GetInvoiceAsync(access!, stripeInvoiceId, readCustomer: false, CancellationToken.None);
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
}
