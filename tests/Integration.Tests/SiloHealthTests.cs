using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using TenantBilling.Silo;
using TenantBilling.Silo.Management;
using TenantBilling.TestSupport;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// The silo process's management port, in-process on real PostgreSQL reached through a proxy the test can
/// cut: liveness never depends on the database, readiness does, and readiness turns false when shutdown starts.
/// </summary>
[Collection(PostgresTestGroup.Name)]
public sealed class SiloHealthTests(PostgresFixture postgres)
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Liveness_survives_losing_postgresql_readiness_follows_it_and_shutdown_ends_readiness()
    {
        var database = new Npgsql.NpgsqlConnectionStringBuilder(postgres.ConnectionString);
        await using var proxy = TcpProxy.Start(database.Host!, database.Port);
        database.Host = "127.0.0.1";
        database.Port = proxy.Port;
        database.Pooling = false;
        database.Timeout = 3;
        var managementPort = Ports.Free();
        var ids = ClusterIds.New("silo-health");
        await using var silo = SiloProgram.Build(
        [
            $"--ConnectionStrings:Orleans={database.ConnectionString}",
            $"--Orleans:ClusterId={ids.ClusterId}",
            $"--Orleans:ServiceId={ids.ServiceId}",
            $"--Orleans:SiloPort={Ports.Free()}",
            $"--Orleans:GatewayPort={Ports.Free()}",
            $"--Management:Url=http://127.0.0.1:{managementPort}",
            "--Logging:LogLevel:Default=Warning",
            "--Dashboard:Enabled=false",
        ]);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{managementPort}"), Timeout = TimeSpan.FromSeconds(20) };

        await silo.StartAsync();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(SiloManagement.StartupPath)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(SiloManagement.LivePath)).StatusCode);
        await Eventually.TrueAsync(async () => (await http.GetAsync(SiloManagement.ReadyPath)).StatusCode == HttpStatusCode.OK, Patience);
        var metrics = await (await http.GetAsync(SiloManagement.MetricsPath)).Content.ReadAsStringAsync();
        Assert.Contains("orleans_", metrics, StringComparison.Ordinal);

        // PostgreSQL gone: not ready (storage does not answer), still alive and started.
        proxy.Cut();
        await Eventually.TrueAsync(async () => (await http.GetAsync(SiloManagement.ReadyPath)).StatusCode == HttpStatusCode.ServiceUnavailable, Patience);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(SiloManagement.LivePath)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(SiloManagement.StartupPath)).StatusCode);

        proxy.Restore();
        await Eventually.TrueAsync(async () => (await http.GetAsync(SiloManagement.ReadyPath)).StatusCode == HttpStatusCode.OK, Patience);

        // Shutdown starting: the readiness checks say so before the listener closes.
        var health = silo.Services.GetRequiredService<HealthCheckService>();
        silo.Services.GetRequiredService<IHostApplicationLifetime>().StopApplication();
        var report = await health.CheckHealthAsync(c => c.Tags.Contains(HealthTags.Ready));
        Assert.Equal(HealthStatus.Unhealthy, report.Entries["shutdown"].Status);
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        var liveness = await health.CheckHealthAsync(_ => false);
        Assert.Equal(HealthStatus.Healthy, liveness.Status);
        await silo.StopAsync();
    }

    /// <summary>Forwards loopback connections to PostgreSQL until <see cref="Cut"/>, which drops every connection and refuses new ones.</summary>
    private sealed class TcpProxy : IAsyncDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly string _host;
        private readonly int _port;
        private readonly CancellationTokenSource _stop = new();
        private readonly List<TcpClient> _open = [];
        private volatile bool _cut;

        private TcpProxy(string host, int port)
        {
            _host = host;
            _port = port;
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public static TcpProxy Start(string host, int port)
        {
            var proxy = new TcpProxy(host, port);
            proxy._listener.Start();
            _ = proxy.AcceptAsync();
            return proxy;
        }

        public void Cut()
        {
            _cut = true;
            lock (_open)
            {
                _open.ForEach(c => c.Dispose());
                _open.Clear();
            }
        }

        public void Restore() => _cut = false;

        public async ValueTask DisposeAsync()
        {
            await _stop.CancelAsync();
            _listener.Stop();
            Cut();
            _stop.Dispose();
        }

        private async Task AcceptAsync()
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                catch (Exception exception) when (exception is OperationCanceledException or SocketException or ObjectDisposedException)
                {
                    return;
                }

                if (_cut)
                {
                    client.Dispose();
                    continue;
                }

                _ = PipeAsync(client);
            }
        }

        private async Task PipeAsync(TcpClient client)
        {
            var server = new TcpClient();
            lock (_open)
            {
                _open.Add(client);
                _open.Add(server);
            }

            try
            {
                await server.ConnectAsync(_host, _port);
                await Task.WhenAny(client.GetStream().CopyToAsync(server.GetStream()), server.GetStream().CopyToAsync(client.GetStream()));
            }
            catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
            {
            }
            finally
            {
                client.Dispose();
                server.Dispose();
            }
        }
    }
}
