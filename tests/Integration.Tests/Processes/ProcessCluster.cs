using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using TenantBilling.TestSupport;

namespace TenantBilling.Integration.Tests.Processes;

/// <summary>A silo process and the loopback ports it listens on.</summary>
/// <param name="ManagementPort">The silo's own management listener (health probes, /metrics), on loopback.</param>
public sealed record SiloNode(string Name, int SiloPort, int GatewayPort, int ManagementPort, NodeProcess Process);

/// <summary>An API process (an Orleans client of the silos) and where it listens for HTTP.</summary>
public sealed record ApiNode(string Name, Uri BaseAddress, NodeProcess Process);

/// <summary>One row of <c>orleans_membership</c>.</summary>
public sealed record MembershipRow(int Port, int Generation, SiloStatus Status, DateTime IAmAliveTime);

/// <summary>
/// A cluster of real processes on loopback and the test database: <c>src/Silo</c> processes and
/// <c>src/Api</c> processes in client mode, started, killed with -9, terminated and restarted as an
/// operator (or a crash) would. Every process gets the cluster's ids and database, Development-free
/// settings (environment "Testing") and its own log file under <c>.artifacts/test-logs/</c>; add to
/// <see cref="Settings"/> before starting a process to configure it, or pass settings per process.
/// </summary>
public sealed class ProcessCluster : IAsyncDisposable
{
    public const string OperatorKey = "process-cluster-operator-key-0123456789";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly List<NodeProcess> _processes = [];
    private readonly Dictionary<string, int> _starts = new(StringComparer.Ordinal);

    private ProcessCluster(string connectionString, string name)
    {
        ConnectionString = connectionString;
        var run = $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        ClusterId = run;
        ServiceId = run;
        LogDirectory = Path.Combine(BuildOutput.RepositoryRoot, ".artifacts", "test-logs", run);
        Settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_ENVIRONMENT"] = "Testing",
            ["ASPNETCORE_ENVIRONMENT"] = "Testing",
            ["ConnectionStrings__Orleans"] = connectionString,
            ["Orleans__ClusterId"] = ClusterId,
            ["Orleans__ServiceId"] = ServiceId,
            ["Auth__OperatorKeys__0"] = OperatorKey,
            // One key for every process: an account's Stripe key stored by one silo is read by another.
            ["Stripe__EncryptionKey"] = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)),
            // Nothing listens there: these clusters do not reach Stripe unless a test says so.
            ["Stripe__ApiBase"] = "http://127.0.0.1:9",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            ["Logging__LogLevel__Orleans.Runtime.MembershipService"] = "Information",
            ["Logging__LogLevel__TenantBilling"] = "Information",
            ["Logging__Console__FormatterName"] = "simple",
            ["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ",
            ["Logging__Console__FormatterOptions__UseUtcTimestamp"] = "true",
        };
    }

    public string ConnectionString { get; }

    public string ClusterId { get; }

    public string ServiceId { get; }

    /// <summary>Where every process of this cluster writes its log (one file per process start).</summary>
    public string LogDirectory { get; }

    /// <summary>Configuration (as environment variables, <c>Section__Key</c>) given to every process started from now on.</summary>
    public Dictionary<string, string> Settings { get; }

    public static ProcessCluster Create(string connectionString, string name) => new(connectionString, name);

    /// <summary>Starts a silo on free ports (or the given ones) and, unless told not to, waits until it is Active.</summary>
    public async Task<SiloNode> StartSiloAsync(
        string name, int? siloPort = null, int? gatewayPort = null, bool waitUntilActive = true, IReadOnlyDictionary<string, string>? settings = null)
    {
        var node = new SiloNode(name, siloPort ?? Ports.Free(), gatewayPort ?? Ports.Free(), Ports.Free(), null!);
        var generationBefore = await LatestGenerationAsync(node.SiloPort);
        var environment = Environment(settings);
        environment["Orleans__SiloPort"] = node.SiloPort.ToString(CultureInfo.InvariantCulture);
        environment["Orleans__GatewayPort"] = node.GatewayPort.ToString(CultureInfo.InvariantCulture);
        environment["Management__Url"] = $"http://127.0.0.1:{node.ManagementPort.ToString(CultureInfo.InvariantCulture)}";
        node = node with { Process = Start(name, BuildOutput.Silo, environment) };
        if (waitUntilActive)
        {
            await WaitUntilActiveAsync(node, generationBefore, StartTimeout);
        }

        return node;
    }

    /// <summary>Starts a silo again under the same name, on the same ports or on new ones, and waits until it is Active.</summary>
    public Task<SiloNode> RestartAsync(SiloNode silo, bool samePorts, IReadOnlyDictionary<string, string>? settings = null) =>
        samePorts
            ? StartSiloAsync(silo.Name, silo.SiloPort, silo.GatewayPort, settings: settings)
            : StartSiloAsync(silo.Name, settings: settings);

    /// <summary>Starts an API in client mode and waits until it listens (and, unless told not to, until it is ready).</summary>
    public async Task<ApiNode> StartApiAsync(string name, bool waitUntilReady = true, IReadOnlyDictionary<string, string>? settings = null)
    {
        var port = Ports.Free();
        var environment = Environment(settings);
        environment["Api__Cluster"] = "Client";
        environment["Urls"] = $"http://127.0.0.1:{port}";
        var api = new ApiNode(name, new Uri($"http://127.0.0.1:{port}/"), Start(name, BuildOutput.Api, environment));
        await WaitForHealthAsync(api, "health/live");
        if (waitUntilReady)
        {
            await WaitForHealthAsync(api, "health/ready");
        }

        return api;
    }

    /// <summary>An HTTP client of the API that sends <paramref name="key"/> (the operator key unless given).</summary>
    public static HttpClient Client(ApiNode api, string? key = OperatorKey, TimeSpan? timeout = null)
    {
        var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = timeout ?? TimeSpan.FromSeconds(60) };
        if (key is not null)
        {
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        return http;
    }

    public async Task<IReadOnlyList<MembershipRow>> MembershipAsync() =>
        await Database.ListAsync(
            ConnectionString,
            "SELECT port, generation, status, i_am_alive_time FROM orleans_membership WHERE deployment_id = $1 ORDER BY port, generation",
            reader => new MembershipRow(reader.GetInt32(0), reader.GetInt32(1), (SiloStatus)reader.GetInt32(2), reader.GetDateTime(3)),
            ClusterId);

    /// <summary>The status of the newest generation on the silo's port, or null before it wrote its row.</summary>
    public async Task<SiloStatus?> StatusAsync(SiloNode silo) =>
        (await MembershipAsync()).Where(row => row.Port == silo.SiloPort).MaxBy(row => row.Generation)?.Status;

    /// <summary>Waits until the newest generation on the silo's port is Active, failing with its log if it exits or takes too long.</summary>
    public async Task WaitUntilActiveAsync(SiloNode silo, TimeSpan timeout) => await WaitUntilActiveAsync(silo, null, timeout);

    /// <summary>Waits until the silo's readiness probe (<c>/health/ready</c>: an active member whose grains read their state) answers 200.</summary>
    public static async Task WaitUntilReadyAsync(SiloNode silo, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{silo.ManagementPort.ToString(CultureInfo.InvariantCulture)}/"), Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync("health/ready");
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    silo.Process.Note($"health/ready answered 200 ({DateTimeOffset.UtcNow - silo.Process.StartedAt:s\\.fff} s after start)");
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or answering slowly while starting.
            }

            if (silo.Process.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException(
                    $"{silo.Name} {(silo.Process.HasExited ? "exited" : $"was not ready within {timeout.TotalSeconds:0} s")}; its log ({silo.Process.LogPath}) ends:\n{silo.Process.LogTail()}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_processes.Select(process => process.DisposeAsync().AsTask()));
    }

    private async Task WaitUntilActiveAsync(SiloNode silo, int? generationBefore, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var newest = (await MembershipAsync()).Where(row => row.Port == silo.SiloPort).MaxBy(row => row.Generation);
            if (newest is { Status: SiloStatus.Active } && (generationBefore is null || newest.Generation > generationBefore))
            {
                silo.Process.Note($"Active in orleans_membership ({DateTimeOffset.UtcNow - silo.Process.StartedAt:s\\.fff} s after start)");
                return;
            }

            Fail(silo.Process, silo.Process.HasExited ? "exited while starting" : null, deadline, $"Active (last seen: {newest?.Status.ToString() ?? "no row"})");
            await Task.Delay(100);
        }
    }

    private static async Task WaitForHealthAsync(ApiNode api, string path)
    {
        using var http = new HttpClient { BaseAddress = api.BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            try
            {
                using var response = await http.GetAsync(path);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    api.Process.Note($"{path} answered 200 ({DateTimeOffset.UtcNow - api.Process.StartedAt:s\\.fff} s after start)");
                    return;
                }
            }
            catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or answering slowly while starting.
            }

            Fail(api.Process, api.Process.HasExited ? "exited while starting" : null, deadline, $"{path} is 200");
            await Task.Delay(100);
        }
    }

    private static void Fail(NodeProcess process, string? failure, DateTime deadline, string waitingFor)
    {
        if (failure is null && DateTime.UtcNow <= deadline)
        {
            return;
        }

        throw new InvalidOperationException(
            $"{process.Name} {failure ?? $"was not {waitingFor} within {StartTimeout.TotalSeconds:0} s"}; its log ({process.LogPath}) ends:\n{process.LogTail()}");
    }

    private async Task<int?> LatestGenerationAsync(int port) =>
        (await MembershipAsync()).Where(row => row.Port == port).Select(row => (int?)row.Generation).Max();

    private Dictionary<string, string> Environment(IReadOnlyDictionary<string, string>? settings)
    {
        var environment = new Dictionary<string, string>(Settings, StringComparer.Ordinal);
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        return environment;
    }

    private NodeProcess Start(string name, string assembly, Dictionary<string, string> environment)
    {
        lock (_processes)
        {
            var start = _starts[name] = _starts.GetValueOrDefault(name) + 1;
            var process = NodeProcess.Start(name, assembly, environment, Path.Combine(LogDirectory, start == 1 ? $"{name}.log" : $"{name}.{start}.log"));
            _processes.Add(process);
            return process;
        }
    }
}

/// <summary>The built product this test run exercises: the same configuration (Release under ./test.sh) as the tests themselves.</summary>
public static class BuildOutput
{
    public static string RepositoryRoot { get; } = FindRoot();

    public static string Silo => Assembly("Silo", "TenantBilling.Silo");

    public static string Api => Assembly("Api", "TenantBilling.Api");

    private static string Configuration => new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;

    private static string Assembly(string project, string name)
    {
        var path = Path.Combine(RepositoryRoot, "src", project, "bin", Configuration, "net10.0", $"{name}.dll");
        return File.Exists(path)
            ? path
            : throw new InvalidOperationException($"{path} is missing: build the solution ({Configuration}) before running the process tests.");
    }

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TenantBilling.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("TenantBilling.sln not found above the test assembly.");
    }
}
