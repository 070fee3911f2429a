using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace TenantBilling.Benchmarks.EndToEnd;

/// <summary>The REST API as the carrier's portal calls it, with the operator key.</summary>
internal sealed class BillingApi : IDisposable
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private readonly HttpClient _http;

    public BillingApi(Uri baseAddress, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromMinutes(30) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiProcess.OperatorKey);
    }

    public Task CreateAccountAsync(string accountId) =>
        SendAsync(HttpMethod.Post, "v1/accounts", new { accountId, name = $"Benchmark {accountId}" });

    public Task ConnectStripeAsync(string accountId, string secretKey) =>
        SendAsync(HttpMethod.Put, $"v1/accounts/{accountId}/stripe-connection", new { secretKey });

    public Task SetRateAsync(string accountId, int requestsPerSecond) =>
        SendAsync(HttpMethod.Put, $"v1/accounts/{accountId}/settings", new { daysUntilDue = 30, stripeRequestsPerSecond = requestsPerSecond });

    public async Task CreateTenantWithProfileAsync(string accountId, string tenantId, int number)
    {
        var tenant = $"v1/accounts/{accountId}/tenants/{tenantId}";
        await SendAsync(HttpMethod.Put, tenant, new
        {
            name = $"Tenant {number} of {accountId}",
            phone = "512 555 0100",
            billingEmail = $"ap-{number}@{accountId}.example",
            contactName = "Pat Doe",
            contactPhone = "+15125550101",
            address = new { line1 = $"{100 + (number % 900)} Congress Ave", city = "austin", state = "tx", postalCode = "78701", country = "US" },
        });
        await SendAsync(HttpMethod.Post, $"{tenant}/address/validate", null);
        await SendAsync(HttpMethod.Put, $"{tenant}/billing-profile", new
        {
            autoCharge = false,
            includeTaxes = true,
            billingDay = 20,
            prices = new Dictionary<string, decimal>
            {
                ["sip_channels"] = 15.00m,
                ["minutes_inbound"] = 0.008m,
                ["minutes_inbound_toll_free"] = 0.021m,
                ["minutes_outbound"] = 0.012m,
                ["minutes_international"] = 0.095m,
                ["minutes_short_duration"] = 0.015m,
                ["local_numbers"] = 1.50m,
                ["toll_free_numbers"] = 2.25m,
            },
            recurringItems = new[] { new { description = "Hosted PBX seat", quantity = 1 + (number % 12), unitPrice = 19.99m, taxCategory = "voip_seats" } },
        });
    }

    public async Task<int> SetClockAsync(DateTimeOffset now)
    {
        var response = await SendAsync(HttpMethod.Post, "v1/test-clock", new { now });
        return JsonSerializer.Deserialize<ClockAnswer>(response, Json)!.TenantsWoken;
    }

    /// <summary>One page of an account's tenants (at most 200), with each one's next invoice.</summary>
    public async Task<TenantPage> ListTenantsAsync(string accountId, string? after)
    {
        var query = after is null ? "limit=200" : $"limit=200&after={Uri.EscapeDataString(after)}";
        var body = await SendAsync(HttpMethod.Get, $"v1/accounts/{accountId}/tenants?{query}", null);
        return JsonSerializer.Deserialize<TenantPage>(body, Json)!;
    }

    public async Task<IReadOnlyList<Invoice>> ListInvoicesAsync(string accountId, string tenantId)
    {
        var body = await SendAsync(HttpMethod.Get, $"v1/accounts/{accountId}/tenants/{tenantId}/invoices", null);
        return JsonSerializer.Deserialize<List<Invoice>>(body, Json)!;
    }

    /// <summary>
    /// Posts one NDJSON batch over its own connection, sending the body while reading the results as
    /// they stream back. The server answers line by line as it goes, so a client must read while it
    /// sends: HttpClient on HTTP/1.1 reads the response only once the whole body is sent, and a batch
    /// whose results outgrow the socket buffers (a few thousand lines) then deadlocks. Hence a plain
    /// socket here: chunked request body on one task, the response read on another. The raw response is
    /// kept and decoded after its last chunk, so the measured window costs the load generator little.
    /// </summary>
    public async Task<BatchRun> PostBatchAsync(Func<StreamWriter, Task> writeLines)
    {
        var address = _http.BaseAddress!;
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(address.Host, address.Port);
        await using var network = tcp.GetStream();
        var clock = Stopwatch.StartNew();
        var head = $"POST /v1/statements/batch HTTP/1.1\r\nHost: {address.Authority}\r\nAuthorization: Bearer {ApiProcess.OperatorKey}\r\n" +
            "Content-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
        await network.WriteAsync(Encoding.ASCII.GetBytes(head));
        var send = Task.Run(async () =>
        {
            await using (var chunked = new ChunkedWriteStream(network))
            await using (var writer = new StreamWriter(chunked, new UTF8Encoding(false), 64 * 1024))
            {
                await writeLines(writer);
            }

            await network.WriteAsync("0\r\n\r\n"u8.ToArray());
        });

        var raw = new MemoryStream();
        var buffer = new byte[64 * 1024];
        var firstAt = TimeSpan.Zero;
        int read;
        while ((read = await network.ReadAsync(buffer)) > 0)
        {
            if (raw.Length == 0)
            {
                firstAt = clock.Elapsed;
            }

            raw.Write(buffer, 0, read);

            // The last chunk ends the answer; the server may keep the connection open after it, so don't wait for the close.
            if (raw.GetBuffer().AsSpan(0, (int)raw.Length).EndsWith("\r\n0\r\n\r\n"u8))
            {
                break;
            }
        }

        var lastAt = clock.Elapsed;
        await send;
        return new BatchRun(DecodeResponse(raw.ToArray()), firstAt, lastAt);
    }

    /// <summary>Status line, headers, then the chunked body split into lines.</summary>
    private static List<string> DecodeResponse(byte[] raw)
    {
        var span = raw.AsSpan();
        var headerEnd = span.IndexOf("\r\n\r\n"u8);
        var head = Encoding.ASCII.GetString(span[..headerEnd]);
        if (!head.StartsWith("HTTP/1.1 200", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"Batch answered: {Encoding.UTF8.GetString(span[..Math.Min(span.Length, 2000)])}");
        }

        var body = new MemoryStream(raw.Length);
        var position = headerEnd + 4;
        if (head.Contains("Transfer-Encoding: chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                var sizeEnd = position + span[position..].IndexOf("\r\n"u8);
                var size = Convert.ToInt32(Encoding.ASCII.GetString(span[position..sizeEnd]).Split(';')[0], 16);
                if (size == 0)
                {
                    break;
                }

                body.Write(span.Slice(sizeEnd + 2, size));
                position = sizeEnd + 2 + size + 2;
            }
        }
        else
        {
            body.Write(span[position..]);
        }

        return Encoding.UTF8.GetString(body.GetBuffer(), 0, (int)body.Length).Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    public static BatchResult ParseResult(string line) => JsonSerializer.Deserialize<BatchResult>(line, Json)!;

    public void Dispose() => _http.Dispose();

    private async Task<string> SendAsync(HttpMethod method, string path, object? body)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) };
            using var response = await _http.SendAsync(request);
            var text = await response.Content.ReadAsStringAsync();
            if (response.IsSuccessStatusCode)
            {
                return text;
            }

            // Setup only: a 503 (the cluster did not answer in time under load) is tried again.
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && attempt < 5)
            {
                await Task.Delay(1000 * attempt);
                continue;
            }

            throw new InvalidOperationException($"{method} {path} answered {(int)response.StatusCode}: {text}");
        }
    }

    public sealed record BatchRun(IReadOnlyList<string> Lines, TimeSpan FirstResultAt, TimeSpan LastResultAt);

    public sealed record BatchResult(int Line, int Status, string? AccountId, string? TenantId, string? Period, string? Outcome, DateTimeOffset? ScheduledFor, string? Error);

    public sealed record ScheduledInvoice(string Period, DateTimeOffset DueAt);

    public sealed record Tenant(string TenantId, ScheduledInvoice? NextInvoice, string? StripeCustomerId);

    public sealed record TenantPage(IReadOnlyList<Tenant> Items, string? NextAfter);

    public sealed record Invoice(string InvoiceKey, string Status, string? StripeInvoiceId, string? FailureReason, long? AmountDueCents);

    private sealed record ClockAnswer([property: JsonPropertyName("tenantsWoken")] int TenantsWoken);

    /// <summary>Writes everything given to it as HTTP/1.1 chunks (the terminating chunk is the caller's).</summary>
    private sealed class ChunkedWriteStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (buffer.IsEmpty)
            {
                return;
            }

            await inner.WriteAsync(Encoding.ASCII.GetBytes($"{buffer.Length:X}\r\n"), cancellationToken);
            await inner.WriteAsync(buffer, cancellationToken);
            await inner.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}

/// <summary>Runs work items with bounded concurrency (setup and verification).</summary>
internal static class Bounded
{
    public static Task ForEachAsync<T>(IEnumerable<T> items, int concurrency, Func<T, Task> work) =>
        Parallel.ForEachAsync(items, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (item, _) => await work(item));
}
