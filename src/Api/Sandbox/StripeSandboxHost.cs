using TenantBilling.StripeSandbox;

namespace TenantBilling.Api.Sandbox;

/// <summary>
/// Runs the Stripe sandbox (<see cref="StripeSandboxServer"/>) in this process, on its own port on
/// 127.0.0.1: it starts before any other hosted service starts (so before the silo and before the API
/// listens), or earlier when the Stripe settings are first read (validating them at start needs its address),
/// and stops after all of them have stopped (so after the last invoice grain's last Stripe call). When the
/// sandbox is enabled but does not run, it says why in the log.
/// </summary>
public sealed partial class StripeSandboxHost(StripeSandboxDecision decision, StripeSandboxOptions options, ILogger<StripeSandboxHost> logger)
    : IHostedLifecycleService
{
    private readonly Lock _gate = new();
    private StripeSandboxServer? _server;
    private bool _stopped;

    /// <summary>The running sandbox, started on first use; it exists until the host has stopped.</summary>
    public StripeSandboxServer Server
    {
        get
        {
            lock (_gate)
            {
                if (_stopped || !decision.Runs)
                {
                    throw new InvalidOperationException("The Stripe sandbox is not running: it is off, or the host has stopped.");
                }

                if (_server is null)
                {
                    // Reached from options validation at start or from StartingAsync, once, before any Stripe call.
                    _server = StripeSandboxServer.StartAsync(options).GetAwaiter().GetResult();
                    LogRunning(logger, _server.ApiBase);
                }

                return _server;
            }
        }
    }

    public Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!decision.Runs)
        {
            LogNotRunning(logger, decision.Reason);
            return Task.CompletedTask;
        }

        _ = Server;
        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        StripeSandboxServer? server;
        lock (_gate)
        {
            _stopped = true;
            server = _server;
            _server = null;
        }

        if (server is not null)
        {
            await server.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stripe sandbox at {ApiBase}: every Stripe call of this process goes to this local emulator, not to Stripe. Nothing is e-mailed or charged, and nothing is kept. Invoice pages: {ApiBase}/sandbox/invoices/…")]
    private static partial void LogRunning(ILogger logger, string apiBase);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stripe sandbox not running: {Reason}")]
    private static partial void LogNotRunning(ILogger logger, string reason);
}
