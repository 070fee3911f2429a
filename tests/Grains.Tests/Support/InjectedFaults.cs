using Orleans.Storage;

namespace TenantBilling.Grains.Tests.Support;

/// <summary>
/// Failures a test turns on for the next matching storage write (by state name and grain key) or grain
/// call (by method name), each failing once.
/// </summary>
public sealed class InjectedFaults
{
    private readonly System.Collections.Concurrent.ConcurrentQueue<(string StateName, string Key)> _writes = new();
    private Func<string, string, bool>? _failWrite;
    private Func<string, bool>? _failCall;
    private Func<string, bool>? _answerFirst;
    private int _fired;

    /// <summary>How many injected failures have struck.</summary>
    public int Fired => Volatile.Read(ref _fired);

    /// <summary>Storage writes of <paramref name="stateName"/> so far (failed ones included) for grains whose key contains <paramref name="keyPart"/>.</summary>
    public int Writes(string stateName, string keyPart) => _writes.Count(w => w.StateName == stateName && w.Key.Contains(keyPart, StringComparison.Ordinal));

    /// <summary>The next write of <paramref name="stateName"/> for a grain whose key contains <paramref name="keyPart"/> fails.</summary>
    public void FailNextWrite(string stateName, string keyPart) =>
        _failWrite = (name, key) => name == stateName && key.Contains(keyPart, StringComparison.Ordinal);

    /// <summary>The <paramref name="n"/>th write from now of <paramref name="stateName"/> for a grain whose key contains <paramref name="keyPart"/> fails.</summary>
    public void FailWriteNumber(int n, string stateName, string keyPart)
    {
        var seen = 0;
        _failWrite = (name, key) => name == stateName && key.Contains(keyPart, StringComparison.Ordinal) && Interlocked.Increment(ref seen) == n;
    }

    /// <summary>The next call of the grain method <paramref name="method"/> fails before it runs.</summary>
    public void FailNextCall(string method) => _failCall = name => name == method;

    internal bool TakeWrite(string stateName, GrainId grainId)
    {
        _writes.Enqueue((stateName, grainId.Key.ToString()!));
        return Take(ref _failWrite, f => f(stateName, grainId.Key.ToString()!));
    }

    /// <summary>
    /// The next call of the grain method <paramref name="method"/> has its answer before the caller's await looks at it
    /// (as when the caller's thread is held up while the call goes and comes back): the caller goes on without yielding.
    /// </summary>
    public void AnswerNextCallFirst(string method) => _answerFirst = name => name == method;

    internal bool TakeCall(string method) => Take(ref _failCall, f => f(method));

    internal bool TakeAnswerFirst(string method) => Take(ref _answerFirst, f => f(method));

    private bool Take<T>(ref T? rule, Func<T, bool> matches)
        where T : class
    {
        var current = Volatile.Read(ref rule);
        if (current is not null && matches(current) && Interlocked.CompareExchange(ref rule, null, current) == current)
        {
            Interlocked.Increment(ref _fired);
            return true;
        }

        return false;
    }
}

/// <summary>Grain storage that fails a write the test asked for, after changing nothing; the caller's cancellation reaches the store, as in production.</summary>
public sealed class FaultyStorage(IGrainStorage inner, InjectedFaults faults) : IGrainStorage
{
    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => ReadStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => WriteStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        faults.TakeWrite(stateName, grainId) ? throw new TimeoutException("Injected: the storage write failed.") : inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => ClearStateAsync(stateName, grainId, grainState, CancellationToken.None);

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken) =>
        inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);
}

/// <summary>Fails a grain call the test asked for, before the grain runs it.</summary>
public sealed class FaultyCalls(InjectedFaults faults) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context) =>
        faults.TakeCall(context.InterfaceMethod?.Name ?? string.Empty) ? throw new TimeoutException("Injected: the call failed.") : context.Invoke();
}

/// <summary>Makes a call the test named answer before its caller's await (see <see cref="InjectedFaults.AnswerNextCallFirst"/>).</summary>
public sealed class AnswerFirstCalls(InjectedFaults faults) : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (!faults.TakeAnswerFirst(context.InterfaceMethod?.Name ?? string.Empty))
        {
            return context.Invoke();
        }

        // Held here until the answer is in, so the caller finds its call done.
        context.Invoke().GetAwaiter().GetResult();
        return Task.CompletedTask;
    }
}
