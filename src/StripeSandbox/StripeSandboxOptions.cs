namespace TenantBilling.StripeSandbox;

/// <summary>
/// Settings of a <see cref="StripeSandboxServer"/>; every property has a working default. The defaults are
/// Stripe as a product meets it, not a clean room: search lags a minute behind, every new customer has a
/// credit balance and a coupon (as an account's Dashboard may give it), saved cards are legacy
/// <c>default_source</c> cards, and the first request of each route in each account fails (a 500 before
/// the work for reads, after it for writes, as Stripe can). <see cref="Exact"/> turns all of that off, for
/// tests of the fake's own mechanics and for benchmarks.
/// </summary>
public sealed record StripeSandboxOptions
{
    /// <summary>No search lag, no customer credit or coupon, payment-method cards, no faults unless injected.</summary>
    public static StripeSandboxOptions Exact { get; } = new()
    {
        SearchIndexDelay = TimeSpan.Zero,
        NewCustomerBalance = 0,
        NewCustomerPercentOff = null,
        SavedCards = SavedCardStyle.PaymentMethod,
        FaultFirstRequestOfEachRoute = false,
    };

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

    /// <summary>Keep every request in <see cref="StripeSandboxServer.RequestLog"/> (turn off for long benchmarks).</summary>
    public bool RecordRequestLog { get; init; } = true;

    /// <summary>
    /// Delay before a new or changed invoice becomes visible to <c>/v1/invoices/search</c>, on the fake's clock,
    /// mirroring Stripe's eventually consistent search index ("up to a minute"). One minute by default.
    /// </summary>
    public TimeSpan SearchIndexDelay { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The invoice balance, in cents, every customer starts with unless created with <c>balance</c> (negative: credit). −$1.00 by default.</summary>
    public long NewCustomerBalance { get; init; } = -100;

    /// <summary>A coupon every new customer gets, percent off (null: none). 10 % by default; invoices inherit it unless created with <c>discounts=</c>.</summary>
    public decimal? NewCustomerPercentOff { get; init; } = 10m;

    /// <summary>How <see cref="StripeSandboxServer.AttachCard"/> saves a card unless told: a legacy <c>default_source</c> by default.</summary>
    public SavedCardStyle SavedCards { get; init; } = SavedCardStyle.LegacySource;

    /// <summary>
    /// The first request of each route (method and path template) in each account fails once: a read with a
    /// 500 before any work, a write with a 500 after its work, saved for its idempotency key as Stripe does.
    /// On by default, so every path of a product meets a fault. Faults from <see cref="StripeSandboxServer.InjectFault"/> come first.
    /// </summary>
    public bool FaultFirstRequestOfEachRoute { get; init; } = true;

    /// <summary>
    /// Customer and invoice ids and invoice numbers that say what they are: <c>cus_sandbox_…</c>,
    /// <c>in_sandbox_…</c>, <c>SANDBOX-7K2Q-0001</c>. Off by default (Stripe's own shapes); on when the product
    /// runs the server as its Stripe sandbox, so nothing it shows can pass for a Stripe object.
    /// </summary>
    public bool SandboxIds { get; init; }

    /// <summary>The port on 127.0.0.1 to listen on; 0 (the default) takes a free one.</summary>
    public int Port { get; init; }
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
