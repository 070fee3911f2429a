using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>Cards on customers. The fake has no payment-method endpoints beyond what invoices need.</summary>
internal static class PaymentMethods
{
    /// <summary>Attaches <paramref name="id"/> (or a fresh card for a test-mode magic id) to the customer.</summary>
    public static PaymentMethodRecord Attach(ApiContext ctx, string customerId, string id, string param)
    {
        if (FakeCards.TryMagic(id, out var card))
        {
            return Add(ctx.Account, customerId, card, ctx.Now);
        }

        var pm = ctx.Account.PaymentMethods.GetValueOrDefault(id) ?? throw StripeApiException.NoSuch("PaymentMethod", id, param);
        if (pm.CustomerId is not null && pm.CustomerId != customerId)
        {
            throw StripeApiException.InvalidRequest("The payment method you provided has already been attached to a customer.", param);
        }

        pm.CustomerId = customerId;
        return pm;
    }

    /// <summary>A payment method that must already be attached to the customer (a magic id attaches a fresh card).</summary>
    public static PaymentMethodRecord Attached(ApiContext ctx, string customerId, string id, string param)
    {
        if (FakeCards.TryMagic(id, out var card))
        {
            return Add(ctx.Account, customerId, card, ctx.Now);
        }

        var pm = ctx.Account.PaymentMethods.GetValueOrDefault(id) ?? throw StripeApiException.NoSuch("PaymentMethod", id, param);
        return pm.CustomerId == customerId
            ? pm
            : throw StripeApiException.InvalidRequest(
                $"The customer does not have a payment method with the ID {id}. The payment method must be attached to the customer.",
                param);
    }

    /// <param name="prefix"><c>pm</c> for a payment method, <c>card</c> for a legacy source.</param>
    public static PaymentMethodRecord Add(AccountState account, string? customerId, FakeCard card, DateTimeOffset now, string prefix = "pm")
    {
        var pm = new PaymentMethodRecord { Id = Ids.New(prefix), Created = now, Card = card, CustomerId = customerId };
        account.PaymentMethods.Add(pm.Id, pm);
        return pm;
    }
}
