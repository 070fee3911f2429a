using Stripe;

namespace TenantBilling.TestSupport;

/// <summary>How a test looks at the Stripe fake: a Stripe.net client that retries (the fake fails each route's first request once).</summary>
public static class StripeReader
{
    /// <summary>A client with <paramref name="secretKey"/> (reading that key's own account, or <paramref name="stripeAccount"/> through <c>Stripe-Account</c>).</summary>
    public static StripeClient For(string apiBase, string secretKey, string? stripeAccount = null) => new(new StripeClientOptions
    {
        ApiKey = secretKey,
        ApiBase = apiBase,
        StripeAccount = stripeAccount,
        HttpClient = new SystemNetHttpClient(new HttpClient(), maxNetworkRetries: 2),
    });
}
