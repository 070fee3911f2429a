using System.Net;
using System.Net.Sockets;
using TenantBilling.StripeSandbox;

namespace TenantBilling.Api.Sandbox;

/// <summary>
/// Runs the Stripe sandbox (<see cref="StripeSandboxServer"/>) in this process, on its own port on
/// 127.0.0.1: it starts before any other hosted service starts (so before the silo and before the API
/// listens) and stops after all of them have stopped (so after the last invoice grain's last Stripe call). Its
/// address is chosen before it starts (<see cref="ApiBase"/>). When the sandbox is enabled but does not run, it
/// says why in the log.
/// </summary>
public sealed partial class StripeSandboxHost(StripeSandboxDecision decision, StripeSandboxOptions options, ILogger<StripeSandboxHost> logger)
    : IHostedLifecycleService
{
    private readonly StripeSandboxOptions _options = options.Port != 0 || !decision.Runs ? options : options with { Port = FreeLoopbackPort() };
    private StripeSandboxServer? _server;

    /// <summary>The running sandbox; it exists from the host's start to its stop.</summary>
    public StripeSandboxServer Server => _server ?? throw new InvalidOperationException("The Stripe sandbox runs only while the host runs: it has not started, or has stopped.");

    /// <summary>
    /// Where the sandbox listens, known before it starts: the Stripe settings point there when they are read
    /// (options validation at start reads them before any hosted service starts).
    /// </summary>
    public string ApiBase => $"http://127.0.0.1:{_options.Port}";

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!decision.Runs)
        {
            LogNotRunning(logger, decision.Reason);
            return;
        }

        _server = await StripeSandboxServer.StartAsync(_options);
        LogRunning(logger, _server.ApiBase);
    }

    /// <summary>A port the system has free on 127.0.0.1 now, for the sandbox to listen on when it starts.</summary>
    private static int FreeLoopbackPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        try
        {
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        finally
        {
            probe.Stop();
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_server is { } server)
        {
            _server = null;
            await server.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe sandbox at {ApiBase}: every Stripe call of this process goes to this local emulator, not to Stripe. Nothing is e-mailed or charged, and nothing is kept. Invoice pages: {ApiBase}/sandbox/invoices/…")]
    private static partial void LogRunning(ILogger logger, string apiBase);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe sandbox not running: {Reason}")]
    private static partial void LogNotRunning(ILogger logger, string reason);
}
