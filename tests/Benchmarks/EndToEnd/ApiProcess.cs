using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace TenantBilling.Benchmarks.EndToEnd;

/// <summary>
/// The Release build of src/Api run as its own process (co-hosted silo, test mode), as an operator would
/// run it. Its output goes to a log file; its memory and CPU time are read from /proc.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    public const string OperatorKey = "benchmark-operator-key-0123456789";

    private readonly Process _process;
    private readonly Task _copyOutput;
    private readonly Task _copyError;
    private readonly StreamWriter _log;

    private ApiProcess(Process process, StreamWriter log, Uri baseAddress, string logPath)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
        LogPath = logPath;
        _copyOutput = CopyAsync(process.StandardOutput);
        _copyError = CopyAsync(process.StandardError);
    }

    public Uri BaseAddress { get; }

    public string LogPath { get; }

    public int Id => _process.Id;

    /// <summary>The Release build of this checkout's src/Api.</summary>
    public static string OwnDll { get; } = Path.Combine(Repository.Root, "src", "Api", "bin", "Release", "net10.0", "TenantBilling.Api.dll");

    /// <summary>Settings of one run: PostgreSQL or in-memory, the Stripe fake, extra configuration, and which API build runs (default <see cref="OwnDll"/>).</summary>
    public sealed record Settings(string Name, string? PostgresConnectionString, string? StripeApiBase, IReadOnlyDictionary<string, string>? Extra = null, string? Dll = null);

    public static async Task<ApiProcess> StartAsync(Settings settings)
    {
        var dll = settings.Dll ?? OwnDll;
        if (!File.Exists(dll))
        {
            throw new InvalidOperationException($"{dll} is missing: run the benchmarks with -c Release (the Release build of src/Api is started as its own process).");
        }

        var httpPort = FreePort();
        var runId = DateTime.UtcNow.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "-" + Environment.ProcessId;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Auth__OperatorKeys__0"] = OperatorKey,
            ["TestMode__Enabled"] = "true",
            ["Orleans__SiloPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans__GatewayPort"] = FreePort().ToString(CultureInfo.InvariantCulture),
            ["Orleans__ClusterId"] = $"bench-{runId}",
            ["Orleans__ServiceId"] = $"bench-{runId}",
            ["Stripe__ApiBase"] = settings.StripeApiBase ?? "http://127.0.0.1:9",
            ["Stripe__PlatformSecretKey"] = "sk_test_benchmarkplatform",
            ["Stripe__EncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Stripe__RequestTimeout"] = "00:00:30",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        if (settings.PostgresConnectionString is { } connectionString)
        {
            environment["ConnectionStrings__Orleans"] = connectionString;
        }

        foreach (var (key, value) in settings.Extra ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var logDirectory = Path.Combine(Path.GetTempPath(), "tenantbilling-bench");
        Directory.CreateDirectory(logDirectory);
        var logPath = Path.Combine(logDirectory, $"{settings.Name}-{runId}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.Exited += (_, _) =>
        {
            lock (log)
            {
                log.WriteLine($"[benchmark] API process exited with code {process.ExitCode} at {DateTime.UtcNow:HH:mm:ss.fff} UTC");
            }
        };
        process.Start();
        var api = new ApiProcess(process, log, new Uri($"http://127.0.0.1:{httpPort}/"), logPath);
        await api.WaitUntilReadyAsync();
        return api;
    }

    /// <summary>Peak resident set size (VmHWM) so far, in bytes.</summary>
    public long PeakRssBytes => ReadStatusKb("VmHWM") * 1024;

    public long RssBytes => ReadStatusKb("VmRSS") * 1024;

    public int Threads => (int)ReadStatusKb("Threads");

    /// <summary>User + system CPU time the process has used.</summary>
    public TimeSpan CpuTime => ProcessCpu.Of(_process.Id);

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await Task.WhenAll(_copyOutput, _copyError);
        await _log.DisposeAsync();
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(90))
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The API process exited with {_process.ExitCode} while starting; see {LogPath}.");
            }

            try
            {
                using var response = await http.GetAsync("health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException)
            {
                // Starting slowly.
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"The API was not ready within 90 s; see {LogPath}.");
    }

    private async Task CopyAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
    }

    private long ReadStatusKb(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                var value = line[(field.Length + 1)..].Trim().Split(' ')[0];
                return long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>CPU time of a process from /proc/{pid}/stat (utime + stime, in clock ticks of 1/100 s).</summary>
internal static class ProcessCpu
{
    private const double TicksPerSecond = 100;

    public static TimeSpan Of(int processId, bool withReapedChildren = false)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            if (withReapedChildren)
            {
                ticks += long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            }

            return TimeSpan.FromSeconds(ticks / TicksPerSecond);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>
    /// CPU time of one PostgreSQL server: its postmaster, the back ends it has reaped, and those still running.
    /// Other servers on the machine (other people's test servers) are left out.
    /// </summary>
    public static TimeSpan OfServer(int postmasterPid)
    {
        var total = Of(postmasterPid, withReapedChildren: true);
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), out var pid) && ParentOf(pid) == postmasterPid)
            {
                total += Of(pid);
            }
        }

        return total;
    }

    /// <summary>The parent process id, or 0 when the process is gone.</summary>
    public static int ParentOf(int processId)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{processId}/stat");
            return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[1], CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    /// <summary>
    /// CPU time of every process whose command name is <paramref name="name"/> (e.g. all PostgreSQL back ends),
    /// including children they have reaped, so that back ends which exit during the window still count.
    /// </summary>
    public static TimeSpan OfAll(string name)
    {
        var total = TimeSpan.Zero;
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), out var pid))
            {
                continue;
            }

            try
            {
                if (File.ReadAllText(Path.Combine(directory, "comm")).Trim() == name)
                {
                    total += Of(pid, withReapedChildren: true);
                }
            }
            catch (IOException)
            {
                // The process ended meanwhile.
            }
        }

        return total;
    }
}

internal static class Repository
{
    /// <summary>The checkout the benchmark runs from (the folder holding TenantBilling.sln).</summary>
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TenantBilling.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("TenantBilling.sln not found above the benchmark's folder.");
    }
}
