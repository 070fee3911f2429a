using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// The rules for accepting a Stripe connection: the key's mode must be the deployment's, and Stripe must
/// accept the key (or the platform key on the Connect account) for a cheap authenticated read.
/// </summary>
public static class StripeConnectionCheck
{
    /// <summary>Quick attempts of the read when Stripe does not answer or answers 5xx/429 (a GET is safe to repeat).</summary>
    public const int Attempts = 3;

    /// <summary>The mode a key works in, from its prefix (<c>sk_test_</c>, <c>rk_test_</c>: test; <c>sk_live_</c>, <c>rk_live_</c>: live).</summary>
    public static StripeMode ModeOf(string key) =>
        key.StartsWith("sk_live_", StringComparison.Ordinal) || key.StartsWith("rk_live_", StringComparison.Ordinal) ? StripeMode.Live : StripeMode.Test;

    /// <summary>A 422 when the key's mode is not the deployment's; null when they agree.</summary>
    /// <param name="platformKey">The key is the operator's platform key (a Connect connection), not the account's.</param>
    public static BillingProblemException? ModeMismatch(StripeMode keyMode, StripeMode expected, bool platformKey) =>
        keyMode == expected
            ? null
            : new BillingProblemException(
                ProblemKind.Unprocessable,
                platformKey
                    ? $"The platform's Stripe key is a {Name(keyMode)} key, but this deployment bills in {Name(expected)} mode (Stripe:Mode): the operator must configure a {Name(expected)} platform key."
                    : $"This is a {Name(keyMode)} key, but this deployment bills in {Name(expected)} mode: give a {Name(expected)} key (sk_{Prefix(expected)}_… or rk_{Prefix(expected)}_…).");

    /// <summary>
    /// Whether a refused account read only says a restricted key lacks that one permission (403): such a key is
    /// checked by reading invoices instead, which it needs anyway.
    /// </summary>
    public static bool MayNotReadAccount(StripeCallException refused, Interfaces.Models.StripeAccess candidate, bool restrictedKey) =>
        restrictedKey && candidate.Mode == Interfaces.Models.StripeConnectionMode.SecretKey && refused.Kind == StripeFailureKind.Permanent && refused.Status == 403;

    /// <summary>Whether a failed read is worth repeating at once.</summary>
    public static bool IsTransient(StripeCallException failure) =>
        failure.Kind is StripeFailureKind.Unknown or StripeFailureKind.ServerError or StripeFailureKind.RateLimited or StripeFailureKind.KeyInUse;

    /// <summary>What the caller is told when the read failed: Stripe's refusal is a 422 with its reason; no answer is a 503.</summary>
    public static BillingProblemException Refusal(StripeCallException failure) =>
        IsTransient(failure)
            ? new BillingProblemException(ProblemKind.Unavailable, "Stripe did not answer the connection check; nothing was changed. Try again.")
            : new BillingProblemException(ProblemKind.Unprocessable, $"Stripe refused the connection: {failure.Message}");

    private static string Name(StripeMode mode) => mode == StripeMode.Live ? "live" : "test";

    private static string Prefix(StripeMode mode) => mode == StripeMode.Live ? "live" : "test";
}
