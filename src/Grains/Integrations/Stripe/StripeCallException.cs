using System.Net;
using global::Stripe;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>What a failed Stripe request means for the invoice pipeline.</summary>
public enum StripeFailureKind
{
    /// <summary>429: too many requests; nothing happened. Wait and send the same request again.</summary>
    RateLimited,
    /// <summary>409: the same idempotency key is still running. Wait and send it again.</summary>
    KeyInUse,
    /// <summary>5xx, a timeout or a broken connection: the request may or may not have taken effect.</summary>
    Unknown,
    /// <summary>402: the card was declined.</summary>
    CardDeclined,
    /// <summary>The customer no longer exists in Stripe (deleted there).</summary>
    CustomerMissing,
    /// <summary>The account disconnected its Stripe meanwhile: nothing was sent; the invoice is held.</summary>
    Disconnected,
    /// <summary>Any other refusal (revoked key, invalid request): retrying the same request won't help.</summary>
    Permanent,
}

/// <summary>A Stripe request that did not succeed, classified; the message is Stripe's own.</summary>
public sealed class StripeCallException(StripeFailureKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public StripeFailureKind Kind { get; } = kind;

    public static StripeCallException From(Exception exception) => exception switch
    {
        StripeCallException already => already,
        StripeException { HttpStatusCode: HttpStatusCode.TooManyRequests } e => new(StripeFailureKind.RateLimited, StripeMessage(e), e),
        StripeException { HttpStatusCode: HttpStatusCode.Conflict } e => new(StripeFailureKind.KeyInUse, StripeMessage(e), e),
        StripeException { HttpStatusCode: >= HttpStatusCode.InternalServerError } e => new(StripeFailureKind.Unknown, StripeMessage(e), e),
        StripeException { HttpStatusCode: HttpStatusCode.PaymentRequired } e => new(StripeFailureKind.CardDeclined, StripeMessage(e), e),
        StripeException { StripeError: { Code: "resource_missing", Param: "customer" } } e => new(StripeFailureKind.CustomerMissing, StripeMessage(e), e),
        StripeException e when e.HttpStatusCode == 0 => new(StripeFailureKind.Unknown, StripeMessage(e), e),
        StripeException e => new(StripeFailureKind.Permanent, StripeMessage(e), e),
        HttpRequestException or TaskCanceledException or TimeoutException or IOException =>
            new(StripeFailureKind.Unknown, $"No answer from Stripe ({exception.GetType().Name}).", exception),
        _ => throw new InvalidOperationException("Not a Stripe failure.", exception),
    };

    public static bool IsStripeFailure(Exception exception) =>
        exception is StripeCallException or StripeException or HttpRequestException or TaskCanceledException or TimeoutException or IOException;

    private static string StripeMessage(StripeException e) => e.StripeError?.Message ?? e.Message;
}
