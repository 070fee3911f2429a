using Microsoft.Extensions.Logging;

namespace TenantBilling.Silo.Telemetry;

/// <summary>
/// Drops two start-up warnings of Orleans that mislead operators, and nothing else:
/// <list type="bullet">
/// <item>the silo's notes that it does not run with server GC (event 100405): the API co-hosting a silo
/// chooses workstation GC on purpose (see its project file), and the note says nothing an operator must act on;</item>
/// <item>the watchdog's "Participant check thread has not completed for …" (event 100150) when the time it
/// reports is longer than this process has been running: at start-up the watchdog's first check can run
/// before the timestamp it compares with is set, and then reports the machine's uptime as a stall. A real
/// stall is shorter than the process's life and is still logged.</item>
/// </list>
/// </summary>
public sealed class StartupNoiseFilter(ILoggerFactory inner, TimeProvider time) : ILoggerFactory
{
    public const string SiloCategory = "Orleans.Runtime.Silo";
    public const string WatchdogCategory = "Orleans.Runtime.Watchdog";
    public const int ServerGcNoteEvent = 100405;
    public const int WatchdogStallEvent = 100150;

    private readonly long _started = time.GetTimestamp();

    public ILogger CreateLogger(string categoryName) => categoryName switch
    {
        SiloCategory => new Filtered(inner.CreateLogger(categoryName), (eventId, _) => eventId.Id == ServerGcNoteEvent),
        WatchdogCategory => new Filtered(inner.CreateLogger(categoryName), (eventId, state) => eventId.Id == WatchdogStallEvent && IsLongerThanThisProcess(state)),
        _ => inner.CreateLogger(categoryName),
    };

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private bool IsLongerThanThisProcess(object? state) =>
        state is IReadOnlyList<KeyValuePair<string, object?>> values
        && values.Any(v => v is { Key: "TimeSinceLastTick", Value: TimeSpan stall } && stall > time.GetElapsedTime(_started));

    private sealed class Filtered(ILogger inner, Func<EventId, object?, bool> drop) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!drop(eventId, state))
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
            }
        }
    }
}
