namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>What a failed Stripe request means for the invoice pipeline (<see cref="StripeFailures.Classify"/>).</summary>
[GenerateSerializer, Alias("stripe-failure-kind")]
public enum StripeFailureKind
{
    /// <summary>429: too many requests; nothing happened. Wait and send the same request again.</summary>
    RateLimited,
    /// <summary>409: the same idempotency key is still running. Wait and send it again.</summary>
    KeyInUse,
    /// <summary>
    /// No answer (a timeout or a broken connection): the request may or may not have taken effect. Stripe
    /// keeps the key's result once it has one, so the same request with the same key is safe.
    /// </summary>
    Unknown,
    /// <summary>
    /// A 5xx answer: the request may or may not have taken effect, and Stripe replays this answer for the key
    /// (for 24 hours), so the request must be checked against Stripe and, if still needed, sent with a new key.
    /// </summary>
    ServerError,
    /// <summary>402: the card was declined.</summary>
    CardDeclined,
    /// <summary>The customer no longer exists in Stripe (deleted there).</summary>
    CustomerMissing,
    /// <summary>The account disconnected its Stripe meanwhile: nothing was sent; the invoice is held.</summary>
    Disconnected,
    /// <summary>Any other refusal (revoked key, invalid request): retrying the same request won't help.</summary>
    Permanent,
}
