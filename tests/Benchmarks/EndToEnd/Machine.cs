using System.Diagnostics;
using System.Globalization;

namespace TenantBilling.Benchmarks.EndToEnd;

/// <summary>What the machine was doing: load average and CPU use per process group over a measured window.</summary>
internal static class Machine
{
    public static string LoadAverage()
    {
        var fields = File.ReadAllText("/proc/loadavg").Split(' ');
        return $"{fields[0]} {fields[1]} {fields[2]}";
    }

    public static double MemoryGiB()
    {
        var line = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
    }

    public static void PrintHeader()
    {
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {MemoryGiB():F1} GiB RAM, load average {LoadAverage()} (1/5/15 min)");
    }

    /// <summary>Busy and total jiffies of all CPUs, from /proc/stat.</summary>
    public static (long Busy, long Total) CpuJiffies()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + fields[4];
        var total = fields.Take(8).Sum();
        return (total - idle, total);
    }
}

/// <summary>
/// CPU used during a window, split between the API process, this benchmark process (load generator and
/// Stripe fake) and PostgreSQL, against the machine's capacity (cores × wall time). PostgreSQL is the
/// benchmark's own server when its postmaster is known (other servers on the machine count as "anything
/// else"), else every postgres process.
/// </summary>
internal sealed class CpuWindow
{
    private readonly ApiProcess? _api;
    private readonly int? _postmaster;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly TimeSpan _apiStart;
    private readonly TimeSpan _selfStart;
    private readonly TimeSpan _postgresStart;
    private readonly (long Busy, long Total) _machineStart;

    public CpuWindow(ApiProcess? api, int? postmaster = null)
    {
        _api = api;
        _postmaster = postmaster;
        _apiStart = api?.CpuTime ?? TimeSpan.Zero;
        _selfStart = Process.GetCurrentProcess().TotalProcessorTime;
        _postgresStart = PostgresCpu();
        _machineStart = Machine.CpuJiffies();
    }

    private TimeSpan PostgresCpu() => _postmaster is { } pid ? ProcessCpu.OfServer(pid) : ProcessCpu.OfAll("postgres");

    public Result Stop()
    {
        var wall = _wall.Elapsed;
        var machine = Machine.CpuJiffies();
        return new Result(
            wall,
            (_api?.CpuTime ?? TimeSpan.Zero) - _apiStart,
            Process.GetCurrentProcess().TotalProcessorTime - _selfStart,
            PostgresCpu() - _postgresStart,
            (double)(machine.Busy - _machineStart.Busy) / Math.Max(1, machine.Total - _machineStart.Total));
    }

    public sealed record Result(TimeSpan Wall, TimeSpan Api, TimeSpan Benchmark, TimeSpan Postgres, double MachineBusy)
    {
        public string Describe()
        {
            var capacity = Wall.TotalSeconds * Environment.ProcessorCount;
            var other = Math.Max(0, (MachineBusy * capacity) - Api.TotalSeconds - Benchmark.TotalSeconds - Postgres.TotalSeconds);
            return $"CPU over {Wall.TotalSeconds:F1} s: machine {MachineBusy:P0} busy; API process {Api.TotalSeconds:F1} s ({Api.TotalSeconds / capacity:P0} of the machine), " +
                $"benchmark process (load generator, Stripe fake) {Benchmark.TotalSeconds:F1} s ({Benchmark.TotalSeconds / capacity:P0}), " +
                $"PostgreSQL {Postgres.TotalSeconds:F1} s ({Postgres.TotalSeconds / capacity:P0}), anything else {other:F1} s";
        }
    }
}

/// <summary>Samples the API process's resident memory in the background (the peak itself is VmHWM).</summary>
internal sealed class MemorySampler : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public MemorySampler(ApiProcess api) => _loop = SampleAsync(api);

    public long MaxThreads { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        _stop.Dispose();
    }

    private async Task SampleAsync(ApiProcess api)
    {
        while (!_stop.IsCancellationRequested)
        {
            MaxThreads = Math.Max(MaxThreads, api.Threads);
            await Task.Delay(500, _stop.Token);
        }
    }
}
