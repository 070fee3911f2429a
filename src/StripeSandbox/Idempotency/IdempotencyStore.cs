using System.Collections.Concurrent;
using TenantBilling.StripeSandbox.Http;

namespace TenantBilling.StripeSandbox.Idempotency;

/// <summary>
/// Stripe's idempotency layer for POSTs, keyed by (account, Idempotency-Key). The first request with a
/// key runs and its answer is saved; the same key with the same method, path and parameters replays that
/// answer (same status and body) without running again; with other parameters it is a 400
/// <c>idempotency_error</c>; while the first is still running, a 409. Saved answers expire after the window.
/// </summary>
internal sealed class IdempotencyStore(TimeProvider time, TimeSpan window)
{
    private const int SweepEvery = 10_000;
    private readonly ConcurrentDictionary<(string Account, string Key), Entry> entries = new();
    private long begun;

    public enum Verdict
    {
        Execute,
        Replay,
        Mismatch,
        InProgress,
    }

    public int Count => this.entries.Count;

    public (Verdict Verdict, FakeResponse? Saved) Begin(string account, string key, string fingerprint)
    {
        if (Interlocked.Increment(ref this.begun) % SweepEvery == 0)
        {
            this.Sweep();
        }

        var id = (account, key);
        while (true)
        {
            var fresh = new Entry(fingerprint, time.GetUtcNow());
            var entry = this.entries.GetOrAdd(id, fresh);
            if (ReferenceEquals(entry, fresh))
            {
                return (Verdict.Execute, null);
            }

            lock (entry)
            {
                if (entry.Response is not null && this.Expired(entry))
                {
                    if (this.entries.TryUpdate(id, fresh, entry))
                    {
                        return (Verdict.Execute, null);
                    }

                    continue;
                }

                if (!string.Equals(entry.Fingerprint, fingerprint, StringComparison.Ordinal))
                {
                    return (Verdict.Mismatch, null);
                }

                return entry.Response is null ? (Verdict.InProgress, null) : (Verdict.Replay, entry.Response);
            }
        }
    }

    /// <summary>Saves the answer replayed from now on for this key.</summary>
    public void Complete(string account, string key, FakeResponse response)
    {
        if (this.entries.TryGetValue((account, key), out var entry))
        {
            lock (entry)
            {
                entry.Response = response;
            }
        }
    }

    /// <summary>Forgets a key whose request did not start executing, so it can be used again.</summary>
    public void Abandon(string account, string key)
    {
        if (this.entries.TryGetValue((account, key), out var entry) && entry.Response is null)
        {
            this.entries.TryRemove(new KeyValuePair<(string, string), Entry>((account, key), entry));
        }
    }

    private bool Expired(Entry entry) => time.GetUtcNow() - entry.Created >= window;

    private void Sweep()
    {
        foreach (var (id, entry) in this.entries)
        {
            if (entry.Response is not null && this.Expired(entry))
            {
                this.entries.TryRemove(new KeyValuePair<(string, string), Entry>(id, entry));
            }
        }
    }

    private sealed class Entry(string fingerprint, DateTimeOffset created)
    {
        public string Fingerprint { get; } = fingerprint;

        public DateTimeOffset Created { get; } = created;

        public FakeResponse? Response { get; set; }
    }
}
