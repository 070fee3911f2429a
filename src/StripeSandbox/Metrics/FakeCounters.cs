using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace TenantBilling.StripeSandbox;

/// <summary>Request counters for tests and benchmarks; safe to read while requests run.</summary>
public sealed class FakeCounters
{
    private readonly ConcurrentDictionary<string, StrongBox<long>> byAccount = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>> byRoute = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, StrongBox<long>> rateLimitedByAccount = new(StringComparer.Ordinal);
    private long total;
    private long rateLimited;
    private long replays;
    private long faults;

    /// <summary>All requests received (authenticated or not).</summary>
    public long TotalRequests => Interlocked.Read(ref this.total);

    /// <summary>429 answers served.</summary>
    public long RateLimited => Interlocked.Read(ref this.rateLimited);

    /// <summary>Answers replayed from the idempotency store.</summary>
    public long IdempotentReplays => Interlocked.Read(ref this.replays);

    /// <summary>Injected faults that fired.</summary>
    public long FaultsFired => Interlocked.Read(ref this.faults);

    /// <summary>Requests per account (the <c>Stripe-Account</c> header, or the API key's own account).</summary>
    public IReadOnlyDictionary<string, long> RequestsByAccount => Snapshot(this.byAccount);

    /// <summary>Requests per route template, e.g. <c>POST /v1/invoices/{id}/pay</c>.</summary>
    public IReadOnlyDictionary<string, long> RequestsByRoute => Snapshot(this.byRoute);

    /// <summary>429 answers per account.</summary>
    public IReadOnlyDictionary<string, long> RateLimitedByAccount => Snapshot(this.rateLimitedByAccount);

    internal void Request(string? account, string route)
    {
        Interlocked.Increment(ref this.total);
        Increment(this.byAccount, account ?? "(unauthenticated)");
        Increment(this.byRoute, route);
    }

    internal void RateLimit(string account)
    {
        Interlocked.Increment(ref this.rateLimited);
        Increment(this.rateLimitedByAccount, account);
    }

    internal void Replay() => Interlocked.Increment(ref this.replays);

    internal void Fault() => Interlocked.Increment(ref this.faults);

    internal void Reset()
    {
        this.byAccount.Clear();
        this.byRoute.Clear();
        this.rateLimitedByAccount.Clear();
        Interlocked.Exchange(ref this.total, 0);
        Interlocked.Exchange(ref this.rateLimited, 0);
        Interlocked.Exchange(ref this.replays, 0);
        Interlocked.Exchange(ref this.faults, 0);
    }

    private static void Increment(ConcurrentDictionary<string, StrongBox<long>> counters, string key) =>
        Interlocked.Increment(ref counters.GetOrAdd(key, static _ => new StrongBox<long>()).Value);

    private static Dictionary<string, long> Snapshot(ConcurrentDictionary<string, StrongBox<long>> counters) =>
        counters.ToDictionary(kv => kv.Key, kv => Interlocked.Read(ref kv.Value.Value), StringComparer.Ordinal);
}
