namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>How a failed Stripe request is classified, from what Stripe answered (or that it did not).</summary>
public static class StripeFailures
{
    /// <summary>
    /// The kind of a failure: 429 rate limited, 409 key in use, 5xx server error, 402 card declined, a
    /// missing <c>customer</c> parameter's object the customer gone, no status at all no answer, and any
    /// other refusal permanent.
    /// </summary>
    /// <param name="httpStatus">Stripe's HTTP status, or null when no answer arrived.</param>
    /// <param name="code">Stripe's error code (<c>resource_missing</c>, …).</param>
    /// <param name="param">The parameter Stripe's error names.</param>
    public static StripeFailureKind Classify(int? httpStatus, string? code, string? param) => httpStatus switch
    {
        null or 0 => StripeFailureKind.Unknown,
        429 => StripeFailureKind.RateLimited,
        409 => StripeFailureKind.KeyInUse,
        >= 500 => StripeFailureKind.ServerError,
        402 => StripeFailureKind.CardDeclined,
        _ when code == "resource_missing" && param == "customer" => StripeFailureKind.CustomerMissing,
        _ => StripeFailureKind.Permanent,
    };

    /// <summary>Whether the request may have taken effect in Stripe although it failed, so Stripe is read before going on.</summary>
    public static bool OutcomeUnknown(StripeFailureKind kind) => kind is StripeFailureKind.Unknown or StripeFailureKind.ServerError;

    /// <summary>Whether the same request is worth sending again soon (nothing about it is wrong; Stripe was busy or did not answer).</summary>
    public static bool Transient(StripeFailureKind kind) =>
        kind is StripeFailureKind.Unknown or StripeFailureKind.ServerError or StripeFailureKind.RateLimited or StripeFailureKind.KeyInUse;
}
