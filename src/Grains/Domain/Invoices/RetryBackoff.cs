namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>Waits between quick retries of one Stripe request: <c>first</c> (0.5 s by default) doubling to at most 8 s.</summary>
public static class RetryBackoff
{
    public const int QuickAttempts = 5;

    public static readonly TimeSpan Longest = TimeSpan.FromSeconds(8);

    public static TimeSpan Delay(int attempt, TimeSpan first) =>
        TimeSpan.FromTicks((long)Math.Min(first.Ticks * Math.Pow(2, Math.Max(0, attempt - 1)), Longest.Ticks));
}
