using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;

namespace TenantBilling.Integration.Tests.Processes;

/// <summary>What one request of the traffic got: when it started (since the traffic began), how long it took, its answer.</summary>
public sealed record RequestOutcome(int Worker, TimeSpan StartedAt, TimeSpan Duration, int Status, bool RetryAfter, bool Problem, string? Error)
{
    public TimeSpan EndedAt => StartedAt + Duration;

    public bool Succeeded => Status is >= 200 and < 300;
}

/// <summary>
/// Steady client traffic against the API while a test breaks the cluster: <c>workers</c> loops each send
/// the next request as soon as the last one answered, and every answer is recorded. Transport failures
/// (no answer, a hang past the client's timeout) are recorded with status 0.
/// </summary>
public sealed class Traffic : IAsyncDisposable
{
    private readonly ConcurrentQueue<RequestOutcome> _outcomes = new();
    private readonly ConcurrentDictionary<int, TimeSpan> _inFlight = new();

    /// <summary>A request taking longer than this is not "healthy" traffic, even when it succeeds.</summary>
    private static readonly TimeSpan StuckAfter = TimeSpan.FromSeconds(2);
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task[] _workers;

    private Traffic(int workers, Func<int, HttpClient> client, Func<int, long, HttpRequestMessage> request)
    {
        _workers = Enumerable.Range(0, workers).Select(worker => Task.Run(() => RunAsync(client(worker), worker, request))).ToArray();
    }

    /// <summary>Starts <paramref name="workers"/> loops; <paramref name="request"/> builds request n of a worker.</summary>
    public static Traffic Start(int workers, Func<int, HttpClient> client, Func<int, long, HttpRequestMessage> request) => new(workers, client, request);

    /// <summary>Time since the traffic began, on the clock of <see cref="RequestOutcome.StartedAt"/>.</summary>
    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<RequestOutcome> Outcomes => [.. _outcomes.OrderBy(o => o.StartedAt)];

    /// <summary>
    /// Waits until the traffic is healthy again after <paramref name="after"/> (when the test broke something):
    /// for a whole <paramref name="window"/> that began after it, every answer was a success (and there
    /// were some) and no request took more than 2 s. Returns when that window began.
    /// </summary>
    public async Task<TimeSpan> WaitUntilHealthyAsync(TimeSpan after, TimeSpan window, TimeSpan timeout, string what)
    {
        var deadline = Now + timeout;
        while (Now < deadline)
        {
            await Task.Delay(200);
            var now = Now;
            var since = now - window;
            var answered = _outcomes.Where(o => o.EndedAt >= since).ToList();
            if (since >= after && answered.Count > 0 && answered.All(o => o.Succeeded)
                && !_outcomes.Any(o => o.EndedAt >= since && o.Duration > StuckAfter)
                && _inFlight.Values.All(started => now - started <= StuckAfter))
            {
                return since;
            }
        }

        throw new TimeoutException($"The traffic was not healthy for {window.TotalSeconds:0} s within {timeout.TotalSeconds:0} s of {what}:\n{Summary.Of(Outcomes, TimeSpan.Zero, Now)}");
    }

    /// <summary>Every outcome as CSV (worker, started and duration in seconds, status), for a look at the timeline.</summary>
    public async Task WriteCsvAsync(string path)
    {
        var lines = Outcomes.Select(o => string.Create(
            CultureInfo.InvariantCulture, $"{o.Worker},{o.StartedAt.TotalSeconds:0.000},{o.Duration.TotalSeconds:0.000},{o.Status},{o.Error}"));
        await File.WriteAllLinesAsync(path, ["worker,started_s,duration_s,status,error", .. lines]);
    }

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_workers);
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await StopAsync();
        }

        _stop.Dispose();
    }

    private async Task RunAsync(HttpClient http, int worker, Func<int, long, HttpRequestMessage> request)
    {
        for (long n = 0; !_stop.IsCancellationRequested; n++)
        {
            using var message = request(worker, n);
            var started = _clock.Elapsed;
            _inFlight[worker] = started;
            try
            {
                using var response = await http.SendAsync(message);
                await response.Content.ReadAsByteArrayAsync();
                _outcomes.Enqueue(new RequestOutcome(
                    worker, started, _clock.Elapsed - started, (int)response.StatusCode, response.Headers.RetryAfter is not null,
                    response.Content.Headers.ContentType?.MediaType == "application/problem+json", null));
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                _outcomes.Enqueue(new RequestOutcome(worker, started, _clock.Elapsed - started, 0, false, false, exception.GetType().Name + ": " + exception.Message));
            }
            finally
            {
                _inFlight.TryRemove(worker, out _);
            }
        }
    }
}

/// <summary>Counts of a stretch of traffic, as a client saw it.</summary>
public sealed record Summary(
    int Requests, IReadOnlyDictionary<int, int> ByStatus, int Unavailable, int UnavailableAfterWaiting, TimeSpan? FirstUnavailable, TimeSpan? LastUnavailable, TimeSpan Longest)
{
    /// <summary>A 503 that took this long waited for the API's call timeout rather than being refused at once.</summary>
    public static readonly TimeSpan Waiting = TimeSpan.FromSeconds(2);

    /// <summary>How long requests kept getting 503s: from the first 503's start to the last one's end.</summary>
    public TimeSpan UnavailableFor => FirstUnavailable is { } first && LastUnavailable is { } last ? last - first : TimeSpan.Zero;

    public static Summary Of(IEnumerable<RequestOutcome> outcomes, TimeSpan from, TimeSpan to)
    {
        var stretch = outcomes.Where(o => o.StartedAt >= from && o.StartedAt < to).ToList();
        var unavailable = stretch.Where(o => o.Status == (int)HttpStatusCode.ServiceUnavailable).ToList();
        return new Summary(
            stretch.Count,
            stretch.GroupBy(o => o.Status).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => g.Count()),
            unavailable.Count,
            unavailable.Count(o => o.Duration >= Waiting),
            unavailable.Count > 0 ? unavailable.Min(o => o.StartedAt) - from : null,
            unavailable.Count > 0 ? unavailable.Max(o => o.EndedAt) - from : null,
            stretch.Count > 0 ? stretch.Max(o => o.Duration) : TimeSpan.Zero);
    }

    public override string ToString()
    {
        var text = new StringBuilder().Append(CultureInfo.InvariantCulture, $"{Requests} requests (");
        text.AppendJoin(", ", ByStatus.Select(s => $"{(s.Key == 0 ? "no answer" : s.Key.ToString(CultureInfo.InvariantCulture))}: {s.Value}"));
        text.Append(CultureInfo.InvariantCulture, $"), longest {Longest.TotalSeconds:0.00} s");
        if (Unavailable > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"; 503s from {FirstUnavailable!.Value.TotalSeconds:0.0} s to {LastUnavailable!.Value.TotalSeconds:0.0} s ({UnavailableFor.TotalSeconds:0.0} s), {UnavailableAfterWaiting} of them after waiting {Waiting.TotalSeconds:0} s or more");
        }

        return text.ToString();
    }
}
