using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Reflection;
using System.Text;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests.Support;

/// <summary>
/// src/Api's own build output run as its own process, as the README's first command runs it: the
/// Development environment, its appsettings files, the embedded silo. Only the ports are free ones
/// (the API's and the silo's), so runs side by side never clash. Its output is kept for failure messages.
/// </summary>
public sealed class ApiProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _copyOutput;
    private readonly Task _copyError;

    private ApiProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
        _copyOutput = CopyAsync(process.StandardOutput);
        _copyError = CopyAsync(process.StandardError);
    }

    public Uri BaseAddress { get; }

    /// <summary>Everything the process wrote so far.</summary>
    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>The build configuration the tests were built in (src/Api is built with them).</summary>
    private static string Configuration =>
        typeof(ApiProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Debug";

    public static async Task<ApiProcess> StartAsync()
    {
        var directory = Path.Combine(Repository.Root, "src", "Api", "bin", Configuration, "net10.0");
        var dll = Path.Combine(directory, "TenantBilling.Api.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing: build the solution in {Configuration} first (./test.sh does).");

        var port = Ports.Free();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = directory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Development";
        start.Environment["Urls"] = $"http://127.0.0.1:{port}";
        start.Environment["Orleans__SiloPort"] = Ports.FreeText();
        start.Environment["Orleans__GatewayPort"] = Ports.FreeText();
        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        var api = new ApiProcess(process, new Uri($"http://127.0.0.1:{port}"));
        try
        {
            await api.WaitUntilReadyAsync();
        }
        catch
        {
            await api.DisposeAsync();
            throw;
        }

        return api;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        await Task.WhenAll(_copyOutput, _copyError);
        _process.Dispose();
    }

    private async Task WaitUntilReadyAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            Assert.False(_process.HasExited, $"The API exited with {(_process.HasExited ? _process.ExitCode : 0)} while starting:\n{Output}");
            try
            {
                if ((await http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK)
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

            Assert.True(DateTime.UtcNow < deadline, $"The API was not ready within 120 s:\n{Output}");
            await Task.Delay(250);
        }
    }

    private async Task CopyAsync(StreamReader reader)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            lock (_output)
            {
                _output.AppendLine(line);
            }
        }
    }

    /// <summary>Runs a script of the repository with bash and the given environment; returns its exit code and output.</summary>
    public static async Task<(int ExitCode, string Output)> RunScriptAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("bash")
        {
            WorkingDirectory = Repository.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(Repository.Root, script));
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash could not be started.");
        var output = new StringBuilder();
        async Task Copy(StreamReader reader)
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (output)
                {
                    output.AppendLine(line);
                }
            }
        }

        var copying = Task.WhenAll(Copy(process.StandardOutput), Copy(process.StandardError));
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await copying;
            Assert.Fail($"{script} did not finish within {timeout}:\n{output}");
        }

        await copying;
        return (process.ExitCode, output.ToString());
    }
}
