using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;
using TenantBilling.Grains;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Silo.Hosting;

/// <summary>
/// Keeps this silo's <see cref="TestClock"/> on the cluster's setting (<see cref="ITestClockGrain"/>):
/// before the silo joins, it reads the stored setting straight from grain storage, so no grain on a
/// restarted silo ever sees real time by mistake; once active, it reads the grain every
/// <see cref="Period"/> and tells it which version it runs on (a change waits for that).
/// </summary>
public sealed partial class TestClockSync(
    TestClock clock,
    IGrainFactory grains,
    ILocalSiloDetails localSilo,
    IServiceProvider services,
    TestClockSync.Settings settings,
    ILogger<TestClockSync> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    /// <summary>How stale a silo's test clock can be (the "short cache").</summary>
    public static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);

    private const string StateName = "test-clock";
    private static readonly TimeSpan ReportFailuresEvery = TimeSpan.FromSeconds(30);

    private readonly CancellationTokenSource _stopping = new();
    private Task _loop = Task.CompletedTask;

    /// <param name="ReadStoredAtStart">False for in-memory storage: it lives in grains (not callable before the silo is active) and is empty after a restart anyway.</param>
    public sealed record Settings(bool ReadStoredAtStart);

    public void Participate(ISiloLifecycle lifecycle)
    {
        // Grain storage is initialised at ApplicationServices; grains run only once the silo is active.
        lifecycle.Subscribe(nameof(TestClockSync), ServiceLifecycleStage.ApplicationServices + 1, ReadStoredAsync);
        lifecycle.Subscribe(nameof(TestClockSync), ServiceLifecycleStage.Active, StartAsync, StopAsync);
    }

    private async Task ReadStoredAsync(CancellationToken cancellationToken)
    {
        if (!settings.ReadStoredAtStart)
        {
            return;
        }

        var storage = services.GetRequiredKeyedService<IGrainStorage>(StorageNames.Billing);
        var stored = new GrainState<TestClockState>(new TestClockState());
        await storage.ReadStateAsync(StateName, GrainId.Create("test-clock", GrainKeys.TestClock), stored);
        var setting = stored.State?.Setting ?? TestClockSetting.RealTime;
        clock.Apply(setting);
        LogLoaded(logger, setting.Offset, setting.Version);
    }

    private Task StartAsync(CancellationToken cancellationToken)
    {
        _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stopping.CancelAsync();
        await _loop.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public void Dispose() => _stopping.Dispose();

    private async Task RunAsync(CancellationToken stopping)
    {
        var silo = localSilo.SiloAddress.ToParsableString();
        long? lastReport = null; // a monotonic timestamp: failures are reported at most every ReportFailuresEvery of real time
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var setting = await grains.GetGrain<ITestClockGrain>(GrainKeys.TestClock).SyncAsync(silo, clock.Setting.Version);
                if (setting.Version > clock.Setting.Version)
                {
                    clock.Apply(setting);
                    LogMoved(logger, setting.Offset, setting.Version);
                    continue; // say at once that this silo runs on it
                }
            }
            catch (Exception exception) when (!stopping.IsCancellationRequested)
            {
                if (lastReport is not { } last || Stopwatch.GetElapsedTime(last) > ReportFailuresEvery)
                {
                    lastReport = Stopwatch.GetTimestamp();
                    LogSyncFailed(logger, exception.GetType().Name, exception.Message);
                }
            }

            await Task.Delay(Period, stopping).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Test clock loaded from storage: billing time is real time + {Offset} (version {Version})")]
    private static partial void LogLoaded(ILogger logger, TimeSpan offset, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Test clock moved: billing time is real time + {Offset} (version {Version})")]
    private static partial void LogMoved(ILogger logger, TimeSpan offset, long version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the test clock ({Error}: {Message}); keeping the last setting")]
    private static partial void LogSyncFailed(ILogger logger, string error, string message);
}

public static class TestClockHosting
{
    /// <summary>
    /// Test mode: billing reads the cluster's test clock (a <see cref="TestClock"/> kept in sync by
    /// <see cref="TestClockSync"/>) instead of real time.
    /// </summary>
    /// <param name="readStoredAtStart">Whether grain storage outlives the silo (PostgreSQL), so a restarted silo loads the setting before it joins.</param>
    public static IServiceCollection AddClusterTestClock(this IServiceCollection services, bool readStoredAtStart)
    {
        services.AddSingleton(new TestClock(TimeProvider.System));
        services.AddKeyedSingleton<TimeProvider>(BillingClock.Key, (sp, _) => sp.GetRequiredService<TestClock>());
        services.AddSingleton(new TestClockSync.Settings(readStoredAtStart));
        services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, TestClockSync>();
        return services;
    }
}
