using System.Diagnostics;

namespace TenantBilling.Integration.Tests.Processes;

/// <summary>
/// One product process (a silo or an API) started from its Release or Debug build, as an operator runs
/// it: its configuration comes from environment variables, its console output goes to a log file.
/// </summary>
public sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Task _copyOutput;
    private readonly Task _copyError;

    private NodeProcess(string name, Process process, StreamWriter log, string logPath)
    {
        Name = name;
        _process = process;
        _log = log;
        LogPath = logPath;
        StartedAt = DateTimeOffset.UtcNow;
        _copyOutput = CopyAsync(process.StandardOutput);
        _copyError = CopyAsync(process.StandardError);
    }

    public string Name { get; }

    public string LogPath { get; }

    public DateTimeOffset StartedAt { get; }

    public int ProcessId => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>The exit code once the process has exited (0: it stopped cleanly).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Starts <paramref name="assembly"/> (a built product dll) with <paramref name="environment"/> on top of this process's.</summary>
    public static NodeProcess Start(string name, string assembly, IReadOnlyDictionary<string, string> environment, string logPath)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(assembly)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(assembly);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        log.WriteLine($"[harness] {DateTime.UtcNow:HH:mm:ss.fff} starting {name}: dotnet {Path.GetFileName(assembly)}");
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.Exited += (_, _) =>
        {
            lock (log)
            {
                log.WriteLine($"[harness] {DateTime.UtcNow:HH:mm:ss.fff} {name} exited with code {process.ExitCode}");
            }
        };
        process.Start();
        return new NodeProcess(name, process, log, logPath);
    }

    /// <summary><c>kill -9</c>: the process ends at once, without any shutdown code running.</summary>
    public async Task KillAsync()
    {
        Note("kill -9");
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
    }

    /// <summary><c>kill -TERM</c>: asks for a graceful shutdown; <see cref="WaitForExitAsync"/> sees it end.</summary>
    public void Terminate()
    {
        Note("kill -TERM");
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
        }
    }

    public async Task<bool> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cancellation.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>After the process exited: waits until the last of its output is in the log (the pipes drain after the exit).</summary>
    public async Task WaitForOutputAsync(TimeSpan timeout) =>
        await Task.WhenAll(_copyOutput, _copyError).WaitAsync(timeout);

    /// <summary>Writes a line of the test's own into the process's log, so the log reads as one story.</summary>
    public void Note(string text)
    {
        lock (_log)
        {
            _log.WriteLine($"[harness] {DateTime.UtcNow:HH:mm:ss.fff} {text}");
        }
    }

    /// <summary>The log so far: the process's output and the harness's notes.</summary>
    public string ReadLog()
    {
        lock (_log)
        {
            using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            return reader.ReadToEnd();
        }
    }

    /// <summary>The last lines of the log, for failure messages.</summary>
    public string LogTail(int lines = 40)
    {
        try
        {
            return string.Join('\n', ReadLog().Split('\n').TakeLast(lines));
        }
        catch (IOException exception)
        {
            return $"(log {LogPath} unreadable: {exception.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        await _process.WaitForExitAsync();
        await Task.WhenAll(_copyOutput, _copyError);
        await _log.DisposeAsync();
        _process.Dispose();
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
}
