using TenantBilling.Silo.Hosting;

namespace TenantBilling.Api.Infrastructure;

/// <summary>
/// Whether this API process has connected to the cluster. A co-hosted API is its own silo, so it always
/// has. An API in client mode starts listening at once and connects in the background: until its Orleans
/// client has connected to a gateway, routes answer 503 with Retry-After and <c>/health/ready</c> is
/// unhealthy (<c>/health/live</c> stays 200). Once connected, a lost gateway is the client's to handle:
/// it reconnects as requests need it, and a request it can't place is a 503 (<see cref="ClusterFailures"/>).
/// </summary>
public sealed class ClusterConnection
{
    private volatile bool _connected;

    private ClusterConnection(bool connected) => _connected = connected;

    public static ClusterConnection CoHosted() => new(connected: true);

    public static ClusterConnection Client() => new(connected: false);

    public bool IsOpen => _connected;

    /// <summary>The Orleans client finished connecting (it only finishes once a gateway answered).</summary>
    public void ClientStarted() => _connected = true;
}

/// <summary>Answers every <c>/v1</c> request with 503 and Retry-After while <see cref="ClusterConnection"/> is closed, before any grain is touched.</summary>
public sealed class ClusterGateMiddleware(RequestDelegate next, ClusterConnection connection, IProblemDetailsService problems)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (connection.IsOpen || !context.Request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
        {
            await next(context);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        ClusterFailures.AddRetryAfter(context.Response);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = 503, Title = "The API is not connected to the billing cluster yet; send the request again." },
        });
    }
}

/// <summary>
/// Keeps an API in client mode trying to reach the cluster once a second for as long as it runs, instead
/// of giving up after a few attempts: a silo that comes up is used within about a second.
/// </summary>
internal sealed partial class KeepConnectingFilter(ILogger<KeepConnectingFilter> logger) : IClientConnectionRetryFilter
{
    private static readonly TimeSpan Delay = TimeSpan.FromSeconds(1);
    private const int LogEvery = 30;
    private int _attempts;

    public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
    {
        var attempt = Interlocked.Increment(ref _attempts);
        if (attempt % LogEvery == 1)
        {
            LogNotConnected(logger, attempt, exception.GetType().Name, exception.Message);
        }

        await Task.Delay(Delay, cancellationToken);
        return !cancellationToken.IsCancellationRequested;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Not connected to the cluster yet (attempt {Attempt}: {Error}: {Message}); trying again every second")]
    private static partial void LogNotConnected(ILogger logger, int attempt, string error, string message);
}

public static class ClusterClientHosting
{
    /// <summary>
    /// Makes this API an Orleans client of separately run silos that listens at once: hosted services start
    /// side by side (so Kestrel does not wait for the cluster), the client keeps trying to connect, and
    /// <see cref="ClusterConnection"/> opens once it has.
    /// </summary>
    public static void AddBillingClusterClient(this WebApplicationBuilder builder)
    {
        var connection = ClusterConnection.Client();
        builder.Services.AddSingleton(connection);
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        builder.Services.AddHostedService<ClientStartedSignal>();
        builder.UseOrleansClient(client =>
        {
            client.AddTenantBillingClient(builder.Configuration);
            client.Services.AddSingleton<IClientConnectionRetryFilter, KeepConnectingFilter>();
        });
    }

    /// <summary>Opens the connection once every hosted service, the Orleans client among them, has started.</summary>
    private sealed class ClientStartedSignal(IHostApplicationLifetime lifetime, ClusterConnection connection) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(connection.ClientStarted);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>Failures that mean "the cluster or its database is briefly unavailable": 503 with Retry-After, never 500.</summary>
public static class ClusterFailures
{
    /// <summary>What Retry-After says: a lost silo is declared dead and its grains move within a few seconds (docs/cluster.md).</summary>
    public const int RetryAfterSeconds = 5;

    /// <summary>
    /// A grain call that timed out, a silo or gateway that is gone, a message the cluster rejected or that
    /// expired before its grain could be placed (while a silo is lost, Orleans cancels it), a grain whose
    /// activation failed (e.g. its state could not be read), or a database error behind grain storage.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        TimeoutException or OrleansException or OperationCanceledException or System.Data.Common.DbException => true,
        AggregateException { InnerExceptions.Count: > 0 } all => all.InnerExceptions.All(IsTransient),
        _ => false,
    };

    public static void AddRetryAfter(HttpResponse response) =>
        response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
