using System.Collections.Concurrent;
using System.Text.Json;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.TestSupport;

/// <summary>How the next hand-over of a key fails, to imitate a crash or a lost answer.</summary>
public enum HandOverFault
{
    None,
    /// <summary>The call fails before the invoice grain keeps the draft.</summary>
    BeforeWork,
    /// <summary>The invoice grain keeps the draft, but the caller sees a failure (a timeout after the work).</summary>
    AfterWork,
}

/// <summary>
/// The test double behind <c>IStripeInvoiceGrain</c>: counts every hand-over per invoice key, keeps the
/// first draft like the real grain does, and can fail the next call on purpose.
/// </summary>
public sealed class HandOverRecorder
{
    private readonly ConcurrentDictionary<string, List<InvoiceDraft>> _calls = new();
    private readonly ConcurrentDictionary<string, InvoiceDraft> _kept = new();
    private readonly ConcurrentDictionary<string, HandOverFault> _faults = new();
    private readonly ConcurrentDictionary<string, HandOverFault> _standingFaults = new();

    /// <summary>Every SubmitAsync call for the key, including failed ones.</summary>
    public int Calls(string key) => _calls.TryGetValue(key, out var calls) ? calls.Count : 0;

    public IReadOnlyList<InvoiceDraft> Drafts(string key) => _calls.TryGetValue(key, out var calls) ? calls.ToList() : [];

    /// <summary>The draft the receiver kept (the one hand-over that counts), or null.</summary>
    public InvoiceDraft? Kept(string key) => _kept.GetValueOrDefault(key);

    public int KeptCount => _kept.Count;

    public void FailNext(string key, HandOverFault fault) => _faults[key] = fault;

    /// <summary>Fails every hand-over of the key until <see cref="Heal"/>.</summary>
    public void FailAll(string key, HandOverFault fault) => _standingFaults[key] = fault;

    public void Heal(string key) => _standingFaults.TryRemove(key, out _);

    public InvoiceSummary Submit(string key, InvoiceDraft draft)
    {
        _calls.GetOrAdd(key, _ => []).Add(draft);
        if (!_faults.TryRemove(key, out var fault))
        {
            fault = _standingFaults.GetValueOrDefault(key);
        }

        if (fault == HandOverFault.BeforeWork)
        {
            throw new TimeoutException("Injected: the hand-over did not arrive.");
        }

        var kept = _kept.GetOrAdd(key, draft);
        if (fault == HandOverFault.AfterWork)
        {
            throw new TimeoutException("Injected: the hand-over arrived but its answer was lost.");
        }

        return Summary(kept);
    }

    public InvoiceSummary? Summary(string key) => _kept.TryGetValue(key, out var draft) ? Summary(draft) : null;

    /// <summary>Structural equality of two drafts (records holding lists compare lists by reference).</summary>
    public static bool SameContent(InvoiceDraft a, InvoiceDraft b) => JsonSerializer.Serialize(a) == JsonSerializer.Serialize(b);

    private static InvoiceSummary Summary(InvoiceDraft draft) => new(
        draft.InvoiceKey, draft.Kind, draft.Period, null, InvoiceStatus.HandedOver, draft.InvoiceDate, draft.Total,
        null, null, null, null, null, null, draft.InvoiceDate);
}
