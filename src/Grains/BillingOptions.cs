namespace TenantBilling.Grains;

/// <summary>Settings of the billing pipeline (configuration section "Billing").</summary>
public sealed class BillingOptions
{
    public const string Section = "Billing";

    /// <summary>
    /// How often a due invoice that could not be handed over (or sent) is tried again. It is the
    /// period of the invoice reminders, so it can't be under Orleans' minimum reminder period
    /// (1 minute unless a test silo lowers it).
    /// </summary>
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The first wait before a failed Stripe request is tried again at once; it doubles with each failure in a row, up to 8 s.</summary>
    public TimeSpan QuickRetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);
}
