using System.Collections.Concurrent;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.TestSupport;

/// <summary>
/// A tax engine as the product meets one, for tests: it rates with the built-in provider it wraps and
/// keeps what a remote engine keeps — the documents committed (once per document code, however often
/// committed) and those voided — and counts every call. Commits and voids can be made to fail, as an
/// unreachable engine does, until a test lets them through again.
/// </summary>
public sealed class RecordingTaxProvider(ITaxProvider inner) : ITaxProvider
{
    private readonly ConcurrentDictionary<string, TaxResult> _committed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> _voided = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _commitCalls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _voidCalls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _commitsAnswered = new(StringComparer.Ordinal);

    public string Name => inner.Name;

    /// <summary>Commits fail (nothing is recorded) while this is true.</summary>
    public bool FailCommits { get; set; }

    /// <summary>Voids fail (nothing is voided) while this is true.</summary>
    public bool FailVoids { get; set; }

    /// <summary>Every call to <see cref="CommitAsync"/> for the document, failed ones included.</summary>
    public int CommitCalls(string documentCode) => _commitCalls.GetValueOrDefault(documentCode);

    /// <summary>Every call to <see cref="VoidAsync"/> for the document, failed ones included.</summary>
    public int VoidCalls(string documentCode) => _voidCalls.GetValueOrDefault(documentCode);

    /// <summary>The commits of the document the engine answered (a product that commits a sent invoice again and again shows here).</summary>
    public int CommitsAnswered(string documentCode) => _commitsAnswered.GetValueOrDefault(documentCode);

    /// <summary>The document as the engine recorded it at its (first successful) commit, or null.</summary>
    public TaxResult? Committed(string documentCode) => _committed.GetValueOrDefault(documentCode);

    public bool IsVoided(string documentCode) => _voided.ContainsKey(documentCode);

    public Task<TaxResult> QuoteAsync(TaxRequest request, CancellationToken cancellationToken) => inner.QuoteAsync(request, cancellationToken);

    public async Task<TaxResult> CommitAsync(TaxRequest request, CancellationToken cancellationToken)
    {
        _commitCalls.AddOrUpdate(request.DocumentCode, 1, (_, n) => n + 1);
        if (FailCommits)
        {
            throw new HttpRequestException("Injected: the tax engine did not answer the commit.");
        }

        var result = await inner.CommitAsync(request, cancellationToken);
        _commitsAnswered.AddOrUpdate(request.DocumentCode, 1, (_, n) => n + 1);
        return _committed.GetOrAdd(request.DocumentCode, result);
    }

    public async Task VoidAsync(string documentCode, CancellationToken cancellationToken)
    {
        _voidCalls.AddOrUpdate(documentCode, 1, (_, n) => n + 1);
        if (FailVoids)
        {
            throw new HttpRequestException("Injected: the tax engine did not answer the void.");
        }

        await inner.VoidAsync(documentCode, cancellationToken);
        if (_committed.ContainsKey(documentCode))
        {
            _voided.TryAdd(documentCode, 0);
        }
    }
}
