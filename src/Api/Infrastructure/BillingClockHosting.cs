using System.Diagnostics;
using TenantBilling.Grains;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Silo.Hosting;

namespace TenantBilling.Api.Infrastructure;

/// <summary>The billing clock of an API in client mode (a co-hosted API shares its silo's).</summary>
public static partial class BillingClockHosting
{
    /// <summary>
    /// Real time, or in test mode (refused in Production) a <see cref="TestClock"/> that follows the
    /// cluster's test clock: read every half second, and at once by <c>/v1/test-clock</c>.
    /// </summary>
    public static void AddClientBillingClock(this WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue<bool>($"{TestModeOptions.Section}:Enabled"))
        {
            builder.Services.AddKeyedSingleton(BillingClock.Key, TimeProvider.System);
            return;
        }

        if (builder.Environment.IsProduction())
        {
            throw new InvalidOperationException("Test mode (TestMode:Enabled) is refused in the Production environment.");
        }

        builder.Services.AddSingleton(new TestClock(TimeProvider.System));
        builder.Services.AddKeyedSingleton<TimeProvider>(BillingClock.Key, (sp, _) => sp.GetRequiredService<TestClock>());
        builder.Services.AddHostedService<TestClockFollower>();
    }

    /// <summary>Keeps this API process's test clock on the cluster's setting (it decides which months are closed).</summary>
    private sealed partial class TestClockFollower(TestClock clock, IGrainFactory grains, ClusterConnection connection, ILogger<TestClockFollower> logger) : BackgroundService
    {
        private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(500);
        private static readonly TimeSpan ReportFailuresEvery = TimeSpan.FromSeconds(30);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            long? lastReport = null; // a monotonic timestamp: failures are reported at most every ReportFailuresEvery of real time
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    if (connection.IsOpen)
                    {
                        clock.Apply(await grains.GetGrain<ITestClockGrain>(GrainKeys.TestClock).GetAsync());
                    }
                }
                catch (Exception exception) when (ClusterFailures.IsTransient(exception))
                {
                    if (lastReport is not { } last || Stopwatch.GetElapsedTime(last) > ReportFailuresEvery)
                    {
                        lastReport = Stopwatch.GetTimestamp();
                        LogFailed(logger, exception.GetType().Name, exception.Message);
                    }
                }

                await Task.Delay(Period, stoppingToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the test clock ({Error}: {Message}); keeping the last setting")]
        private static partial void LogFailed(ILogger logger, string error, string message);
    }
}
