using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace TenantBilling.Integration.Tests.Processes;

/// <summary>
/// What a silo's management port answered while it shut down after SIGTERM, and how it ended.
/// <paramref name="ReadyFalseAfter"/>: when <c>/health/ready</c> first answered something other than 200
/// (an answer, not a refused connection); <paramref name="LiveAfterReadyFalse"/>: <c>/health/live</c>
/// answered 200 after that; <paramref name="ExitedAfter"/>: when the process had exited (all since SIGTERM);
/// <paramref name="LeftTheCluster"/>: its log says it left the cluster before stopping.
/// </summary>
public sealed record ShutdownObservation(
    string Silo, TimeSpan? ReadyFalseAfter, bool LiveAfterReadyFalse, TimeSpan? LastAnswerAfter, TimeSpan? ExitedAfter, int? ExitCode, bool LeftTheCluster, string Log)
{
    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Silo}: ready false {Seconds(ReadyFalseAfter)} after SIGTERM, live still 200 then: {LiveAfterReadyFalse}, management port answered until {Seconds(LastAnswerAfter)}, exited after {Seconds(ExitedAfter)} with code {ExitCode?.ToString(CultureInfo.InvariantCulture) ?? "none"}");

    private static string Seconds(TimeSpan? t) => t is { } value ? string.Create(CultureInfo.InvariantCulture, $"{value.TotalSeconds:0.00} s") : "never";
}

public static class ShutdownWatch
{
    /// <summary>Sends SIGTERM and polls the silo's readiness and liveness every 50 ms until it exits or <paramref name="timeout"/> passes.</summary>
    public static async Task<ShutdownObservation> TerminateAsync(SiloNode silo, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.ManagementPort.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromSeconds(5) };
        var ready = Stopwatch.StartNew();
        while (await StatusAsync(http, "health/ready") != HttpStatusCode.OK)
        {
            // Ready before it is stopped (its storage check can be slow on a loaded machine).
            Assert.True(ready.Elapsed < TimeSpan.FromSeconds(60), $"{silo.Name} was not ready within 60 s before SIGTERM:\n{silo.Process.LogTail()}");
            await Task.Delay(200);
        }

        var clock = Stopwatch.StartNew();
        silo.Process.Terminate();
        TimeSpan? readyFalse = null, lastAnswer = null;
        var liveAfter = false;
        var exited = silo.Process.WaitForExitAsync(timeout);
        var exitedAt = exited.ContinueWith(_ => clock.Elapsed, TaskScheduler.Default);
        while (!exited.IsCompleted)
        {
            var readiness = await StatusAsync(http, "health/ready");
            var live = await StatusAsync(http, "health/live");
            if (readiness is not null || live is not null)
            {
                lastAnswer = clock.Elapsed;
            }

            if (readiness is { } status && status != HttpStatusCode.OK)
            {
                readyFalse ??= clock.Elapsed;
            }

            liveAfter |= readyFalse is not null && live == HttpStatusCode.OK;
            await Task.WhenAny(exited, Task.Delay(50));
        }

        var hasExited = await exited;
        if (hasExited)
        {
            await silo.Process.WaitForOutputAsync(TimeSpan.FromSeconds(30));
        }

        return new ShutdownObservation(
            silo.Name, readyFalse, liveAfter, lastAnswer, hasExited ? await exitedAt : null, hasExited ? silo.Process.ExitCode : null,
            silo.Process.ReadLog().Contains("Left the cluster", StringComparison.Ordinal), silo.Process.LogTail(30));
    }

    private static async Task<HttpStatusCode?> StatusAsync(HttpClient http, string path)
    {
        try
        {
            using var response = await http.GetAsync(path);
            return response.StatusCode;
        }
        catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
        {
            return null;
        }
    }
}
