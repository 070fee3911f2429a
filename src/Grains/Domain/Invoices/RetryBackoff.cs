namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>Waits between quick retries of one Stripe request: 0.5 s doubling to at most 8 s.</summary>
public static class RetryBackoff
{
    public const int QuickAttempts = 5;

    public static TimeSpan Delay(int attempt) => TimeSpan.FromMilliseconds(Math.Min(500 * Math.Pow(2, Math.Max(0, attempt - 1)), 8_000));
}
