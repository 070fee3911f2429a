using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// The silos' grain state writes, watched by a test: it can hold one write of one grain until the silos are
/// gone and then lose it, as a process killed between a step and the write that records it loses the
/// record, and it can wait until a write was stored. Around the product's own storage (<see cref="Around"/>),
/// so every read and every other write goes to PostgreSQL as usual.
/// </summary>
public sealed class StateWrites
{
    private readonly Lock gate = new();
    private readonly List<Watch> watches = [];

    /// <summary>
    /// Holds the first write of <paramref name="grainId"/>'s state matching <paramref name="when"/> before it
    /// reaches the database: <see cref="HeldWrite.Reached"/> completes once it is held, <see cref="HeldWrite.Lose"/>
    /// fails it without storing anything.
    /// </summary>
    public HeldWrite Hold<TState>(GrainId grainId, Func<TState, bool> when)
    {
        var held = new HeldWrite();
        Add(new Watch(grainId, state => state is TState typed && when(typed), held.HoldAsync, null));
        return held;
    }

    /// <summary>Completes once a write of <paramref name="grainId"/>'s state matching <paramref name="when"/> is stored.</summary>
    public Task Stored<TState>(GrainId grainId, Func<TState, bool> when)
    {
        var stored = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Add(new Watch(grainId, state => state is TState typed && when(typed), null, stored));
        return stored.Task;
    }

    /// <summary>Wraps the silo's <paramref name="storageName"/> grain storage (registered before this call) so that this watches its writes.</summary>
    public void Around(IServiceCollection services, string storageName)
    {
        var registered = services.Last(d => d.ServiceType == typeof(IGrainStorage) && d.IsKeyedService && Equals(d.ServiceKey, storageName));
        var create = registered.KeyedImplementationFactory
            ?? throw new InvalidOperationException($"Grain storage '{storageName}' is not registered by a factory.");
        services.Remove(registered);
        services.AddKeyedSingleton<IGrainStorage>(storageName, (provider, key) => new WatchedStorage((IGrainStorage)create(provider, key), this));
    }

    private void Add(Watch watch)
    {
        lock (this.gate)
        {
            this.watches.Add(watch);
        }
    }

    /// <summary>The first watch the write matches, claimed so it matches no other write.</summary>
    private Watch? Claim(GrainId grainId, object? state)
    {
        lock (this.gate)
        {
            var watch = this.watches.FirstOrDefault(w => w.GrainId == grainId && w.Matches(state));
            if (watch is not null)
            {
                this.watches.Remove(watch);
            }

            return watch;
        }
    }

    private sealed record Watch(GrainId GrainId, Func<object?, bool> Matches, Func<Task>? Hold, TaskCompletionSource? Stored);

    private sealed class WatchedStorage(IGrainStorage storage, StateWrites writes) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => storage.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            var watch = writes.Claim(grainId, grainState.State);
            if (watch?.Hold is { } hold)
            {
                await hold();
            }

            await storage.WriteStateAsync(stateName, grainId, grainState);
            watch?.Stored?.TrySetResult();
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => storage.ClearStateAsync(stateName, grainId, grainState);

        public void Participate(ISiloLifecycle observer) => (storage as ILifecycleParticipant<ISiloLifecycle>)?.Participate(observer);
    }
}

/// <summary>A write held by <see cref="StateWrites.Hold{TState}"/>.</summary>
public sealed class HeldWrite
{
    private readonly TaskCompletionSource reached = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes once the write is held.</summary>
    public Task Reached => this.reached.Task;

    /// <summary>Fails the held write: nothing of it is stored (call it once its silo is gone).</summary>
    public void Lose() => this.released.TrySetException(new InvalidOperationException("The write was lost with its silo."));

    internal Task HoldAsync()
    {
        this.reached.TrySetResult();
        return this.released.Task;
    }
}
