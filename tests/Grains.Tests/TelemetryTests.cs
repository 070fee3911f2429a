using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Telemetry;
using TenantBilling.Silo.Telemetry;

namespace TenantBilling.Grains.Tests;

/// <summary>Our meter's feeders and the start-up log filter, each on its own (measurements read from this test's meter only).</summary>
public sealed class TelemetryTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly MeterListener _listener = new();
    private readonly List<(string Instrument, double Value, Dictionary<string, string?> Tags)> _measurements = [];
    private readonly BillingMetrics _metrics;

    public TelemetryTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _metrics = new BillingMetrics(factory);
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Scope == factory)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _services.Dispose();
    }

    [Theory]
    [InlineData("POST", "https://api.stripe.com/v1/invoices", "POST /v1/invoices")]
    [InlineData("POST", "https://api.stripe.com/v1/invoices/in_1PqR2s3T/finalize", "POST /v1/invoices/{id}/finalize")]
    [InlineData("POST", "https://api.stripe.com/v1/invoices/in_1PqR2s3T/add_lines", "POST /v1/invoices/{id}/add_lines")]
    [InlineData("GET", "https://api.stripe.com/v1/invoices/in_1PqR2s3T?expand[]=customer", "GET /v1/invoices/{id}")]
    [InlineData("GET", "https://api.stripe.com/v1/invoices/search?query=metadata", "GET /v1/invoices/search")]
    [InlineData("POST", "https://api.stripe.com/v1/customers/cus_9sT0ab", "POST /v1/customers/{id}")]
    [InlineData("POST", "http://127.0.0.1:5123/v1/invoices/in_x/lines/il_y/extra", "POST /v1/invoices/{id}/lines")]
    public void A_stripe_endpoint_is_its_method_and_path_without_ids(string method, string url, string endpoint) =>
        Assert.Equal(endpoint, StripeRequestMetrics.EndpointOf(new HttpMethod(method), new Uri(url)));

    [Fact]
    public async Task The_stripe_handler_times_every_request_and_counts_429s_and_errors_by_endpoint()
    {
        var answers = new Queue<Func<HttpResponseMessage>>(
        [
            () => new HttpResponseMessage(HttpStatusCode.OK),
            () => new HttpResponseMessage(HttpStatusCode.TooManyRequests),
            () => new HttpResponseMessage(HttpStatusCode.PaymentRequired),
            () => new HttpResponseMessage(HttpStatusCode.BadGateway),
            () => throw new HttpRequestException("connection refused"),
        ]);
        using var client = new HttpClient(new StripeRequestMetrics(_metrics, TimeProvider.System) { InnerHandler = new Answering(answers) });

        for (var i = 0; i < 5; i++)
        {
            try
            {
                using var _ = await client.PostAsync(new Uri("https://api.stripe.com/v1/invoices/in_123/pay"), null);
            }
            catch (HttpRequestException)
            {
            }
        }

        var durations = Of("tenant_billing.stripe.request.duration");
        Assert.Equal(5, durations.Count);
        Assert.All(durations, m => Assert.Equal("POST /v1/invoices/{id}/pay", m.Tags["endpoint"]));
        Assert.Equal(["success", "rate_limited", "client_error", "server_error", "network_error"], durations.Select(m => m.Tags["outcome"]));
        Assert.Single(Of("tenant_billing.stripe.rate_limited"));
        Assert.Equal(["client_error", "server_error", "network_error"], Of("tenant_billing.stripe.errors").Select(m => m.Tags["kind"]));
    }

    [Fact]
    public async Task The_tax_provider_decorator_times_each_operation_and_marks_failures()
    {
        var inner = new RateTableTaxProvider(TaxRateTableLoader.LoadEmbedded());
        var metered = new MeteredTaxProvider(inner, _metrics, TimeProvider.System);

        await metered.VoidAsync("doc-1", CancellationToken.None);
        await Assert.ThrowsAsync<ArgumentException>(() => metered.VoidAsync(string.Empty, CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>(() => metered.QuoteAsync(null!, CancellationToken.None));

        Assert.Equal(
            [("void", "success"), ("void", "error"), ("quote", "error")],
            Of("tenant_billing.tax.request.duration").Select(m => (m.Tags["operation"], m.Tags["outcome"])));
        Assert.All(Of("tenant_billing.tax.request.duration"), m => Assert.Equal(RateTableTaxProvider.ProviderName, m.Tags["provider"]));
    }

    [Fact]
    public void Registering_the_telemetry_wraps_whichever_tax_provider_was_registered_once()
    {
        var provider = new RateTableTaxProvider(TaxRateTableLoader.LoadEmbedded());
        using var services = new ServiceCollection().AddSingleton<ITaxProvider>(provider).AddBillingTelemetry().AddBillingTelemetry().BuildServiceProvider();

        var metered = Assert.IsType<MeteredTaxProvider>(services.GetRequiredService<ITaxProvider>());
        Assert.Same(provider, metered.Inner);
    }

    [Fact]
    public void Start_up_noise_is_dropped_and_real_warnings_are_kept()
    {
        var time = new FakeTimeProvider();
        var sink = new Sink();
        using var inner = LoggerFactory.Create(b => b.AddProvider(sink).SetMinimumLevel(LogLevel.Trace));
        using var factory = new StartupNoiseFilter(inner, time);
        var silo = factory.CreateLogger(StartupNoiseFilter.SiloCategory);
        var watchdog = factory.CreateLogger(StartupNoiseFilter.WatchdogCategory);
        var other = factory.CreateLogger("Orleans.Runtime.Catalog");
        time.Advance(TimeSpan.FromSeconds(30));

        Warn(silo, StartupNoiseFilter.ServerGcNoteEvent, "Note: Silo not running with ServerGC turned on");
        Warn(silo, 1908313251, "Some grains failed to deactivate promptly.");
        Stall(watchdog, TimeSpan.FromMinutes(41)); // longer than the process has lived: the start-up race
        Stall(watchdog, TimeSpan.FromSeconds(5)); // a real stall
        Warn(other, StartupNoiseFilter.ServerGcNoteEvent, "same id, other category");

        Assert.Equal(["Some grains failed to deactivate promptly.", "Participant check thread has not completed for 00:00:05", "same id, other category"], sink.Messages);
    }

    private static void Warn(ILogger logger, int eventId, string message) =>
        logger.Log(LogLevel.Warning, new EventId(eventId), message, null, (m, _) => m);

    private static void Stall(ILogger watchdog, TimeSpan stall)
    {
        // The shape of Orleans' generated log call: a state listing its named values.
        var state = new List<KeyValuePair<string, object?>> { new("TimeSinceLastTick", stall), new("{OriginalFormat}", "Participant check thread has not completed for {TimeSinceLastTick}") };
        watchdog.Log(LogLevel.Warning, new EventId(StartupNoiseFilter.WatchdogStallEvent), state, null, (_, _) => $"Participant check thread has not completed for {stall}");
    }

    private List<(string Instrument, double Value, Dictionary<string, string?> Tags)> Of(string instrument)
    {
        lock (_measurements)
        {
            return _measurements.Where(m => m.Instrument == instrument).ToList();
        }
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var copy = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var tag in tags)
        {
            copy[tag.Key] = tag.Value?.ToString();
        }

        lock (_measurements)
        {
            _measurements.Add((instrument.Name, value, copy));
        }
    }

    private sealed class Answering(Queue<Func<HttpResponseMessage>> answers) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(answers.Dequeue()());
    }

    private sealed class Sink : ILoggerProvider
    {
        public List<string> Messages { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(Messages);

        public void Dispose()
        {
        }

        private sealed class Logger(List<string> messages) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                messages.Add(formatter(state, exception));
        }
    }
}
