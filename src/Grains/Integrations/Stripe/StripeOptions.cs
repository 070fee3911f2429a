namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>How we reach Stripe (configuration section "Stripe"). None of these values is ever logged.</summary>
public sealed class StripeOptions
{
    public const string Section = "Stripe";

    /// <summary>Stripe's API base; tests and benchmarks point it at the fake on loopback.</summary>
    public string ApiBase { get; set; } = "https://api.stripe.com";

    /// <summary>The platform's secret key, used with <c>Stripe-Account</c> for accounts connected through Connect.</summary>
    public string? PlatformSecretKey { get; set; }

    /// <summary>The webhook endpoint's signing secret (<c>whsec_…</c>).</summary>
    public string? WebhookSecret { get; set; }

    /// <summary>A 256-bit key (base64) that encrypts the secret keys accounts give us.</summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// Which Stripe mode this deployment bills in: keys of the other mode are refused when an account
    /// connects. Unset: live in the Production environment, test everywhere else.
    /// </summary>
    public StripeMode? Mode { get; set; }

    /// <summary>How long one Stripe request may take before it counts as failed (its outcome then unknown).</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The longest <see cref="RequestTimeout"/> allowed: a customer's request is sent inside a grain call whose
    /// bound (IStripeCustomerGrain.StepInTurnAsync, 90 s) must cover it and the customer's writes.
    /// </summary>
    public static readonly TimeSpan LongestRequestTimeout = TimeSpan.FromSeconds(60);
}

/// <summary>Stripe's two worlds: test mode (no real money) and live mode.</summary>
public enum StripeMode
{
    Test,
    Live,
}
