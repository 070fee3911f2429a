using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TenantBilling.Grains.Domain.Stripe;

/// <summary>
/// The idempotency keys of our Stripe requests. Stripe keeps a key's first result for 24 hours — a 500
/// included — and refuses the same key with another body (<c>idempotency_error</c>). So a key is
/// <c>{scope}:{step}</c>, then <c>:{round}.{attempt}</c> once either is not zero, then <c>:{fingerprint}</c> of
/// whatever the body depends on that can change (settings, data versions): the same request always gets
/// the same key, a changed body a new one, and a request Stripe answered with a 5xx is sent again under a
/// new attempt (after the pipeline has looked at what Stripe has). A request that got no answer at all
/// keeps its key, so Stripe itself tells whether it ran.
/// </summary>
public static class StripeIdempotencyKeys
{
    /// <summary>Stripe's longest idempotency key.</summary>
    public const int MaxLength = 255;

    public static string For(string scope, string step, int round = 0, int attempt = 0, string? fingerprint = null)
    {
        var key = new StringBuilder(scope).Append(':').Append(step);
        if (round != 0 || attempt != 0)
        {
            key.Append(':').Append(round.ToString(CultureInfo.InvariantCulture)).Append('.').Append(attempt.ToString(CultureInfo.InvariantCulture));
        }

        if (fingerprint is not null)
        {
            key.Append(':').Append(fingerprint);
        }

        return key.Length <= MaxLength
            ? key.ToString()
            : throw new ArgumentException($"Idempotency key of {key.Length} characters exceeds Stripe's {MaxLength}.", nameof(scope));
    }

    /// <summary>12 hex digits of SHA-256 over the values, in order (invariant culture; null as empty).</summary>
    public static string Fingerprint(params object?[] values)
    {
        var text = string.Join('\u001f', values.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..12];
    }

    /// <summary>
    /// Whether the next request of a step needs a new attempt number after <paramref name="kind"/>:
    /// only after a 5xx, which Stripe replays for the key. No answer keeps the key; 409 and 429 saved nothing.
    /// </summary>
    public static bool SpendsKey(StripeFailureKind kind) => kind == StripeFailureKind.ServerError;
}
