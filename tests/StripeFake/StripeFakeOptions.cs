namespace TenantBilling.StripeFake;

/// <summary>Settings of a <see cref="StripeFakeServer"/>; every property has a working default.</summary>
public sealed class StripeFakeOptions
{
    /// <summary>Clock for <c>created</c>, due dates, idempotency expiry, rate-limit refill and webhook timestamps.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>How long a stored idempotent response is replayed (Stripe keeps keys at least 24 hours).</summary>
    public TimeSpan IdempotencyWindow { get; init; } = TimeSpan.FromHours(24);

    /// <summary>Rate limit applied to every account that has no limit of its own; null means unlimited.</summary>
    public RateLimit? DefaultRateLimit { get; init; }

    /// <summary>API keys that answer 401 <c>api_key_expired</c>.</summary>
    public IReadOnlyCollection<string> RevokedApiKeys { get; init; } = [];

    /// <summary>API version written into events (must match Stripe.net's pinned version for <c>EventUtility.ConstructEvent</c>).</summary>
    public string ApiVersion { get; init; } = "2026-10-28.endive";

    /// <summary>Currency of invoices and items when the request names none.</summary>
    public string DefaultCurrency { get; init; } = "usd";

    /// <summary>Keep every request in <see cref="StripeFakeServer.RequestLog"/> (turn off for long benchmarks).</summary>
    public bool RecordRequestLog { get; init; } = true;

    /// <summary>
    /// Delay before a new or changed invoice becomes visible to <c>/v1/invoices/search</c>,
    /// mirroring Stripe's eventually consistent search index. Zero by default.
    /// </summary>
    public TimeSpan SearchIndexDelay { get; init; } = TimeSpan.Zero;
}

/// <summary>A token bucket: <paramref name="RequestsPerSecond"/> refill rate, at most <paramref name="Burst"/> tokens.</summary>
/// <param name="RequestsPerSecond">Sustained rate; tokens refill continuously at this rate.</param>
/// <param name="Burst">Bucket capacity, i.e. how many requests may arrive at once after an idle second.</param>
public sealed record RateLimit(double RequestsPerSecond, int Burst)
{
    /// <summary>A limit whose burst equals one second's worth of requests (at least one).</summary>
    public static RateLimit PerSecond(double requestsPerSecond) =>
        new(requestsPerSecond, Math.Max(1, (int)Math.Floor(requestsPerSecond)));
}
