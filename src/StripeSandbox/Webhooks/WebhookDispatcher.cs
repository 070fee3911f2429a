using System.Collections.Concurrent;
using System.Text;

namespace TenantBilling.StripeSandbox.Webhooks;

/// <summary>One POST of an event to a registered endpoint: its HTTP status, or the error when none came.</summary>
public sealed record WebhookDelivery(string EventId, string EventType, Uri Url, int? Status, string? Error);

/// <summary>
/// Posts every recorded event, signed, to each registered endpoint in the background (as Stripe does,
/// after the API answer; order is not guaranteed). No redelivery of failures.
/// </summary>
internal sealed class WebhookDispatcher(TimeProvider time) : IDisposable
{
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    private readonly ConcurrentQueue<WebhookDelivery> deliveries = new();
    private readonly ConcurrentDictionary<Task, byte> pending = new();
    private volatile (Uri Url, string Secret)[] endpoints = [];

    public IReadOnlyList<WebhookDelivery> Deliveries => [.. this.deliveries];

    public void AddEndpoint(Uri url, string secret) => this.endpoints = [.. this.endpoints, (url, secret)];

    public void Dispatch(IReadOnlyList<FakeEvent> events)
    {
        var targets = this.endpoints;
        if (targets.Length == 0 || events.Count == 0)
        {
            return;
        }

        foreach (var evt in events)
        {
            foreach (var (url, secret) in targets)
            {
                var task = this.DeliverAsync(evt, url, secret);
                this.pending.TryAdd(task, 0);
                _ = task.ContinueWith(t => this.pending.TryRemove(t, out _), TaskScheduler.Default);
            }
        }
    }

    /// <summary>Completes once every delivery started so far has finished.</summary>
    public Task WhenIdleAsync() => Task.WhenAll(this.pending.Keys);

    public async Task<HttpResponseMessage> PostAsync(Uri url, string payload, string signatureHeader, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url)
        {
            Content = new StringContent(payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", signatureHeader);
        return await this.http.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    public void Dispose() => this.http.Dispose();

    private async Task DeliverAsync(FakeEvent evt, Uri url, string secret)
    {
        await Task.Yield();
        try
        {
            var header = WebhookSigner.SignatureHeader(evt.Payload, secret, time.GetUtcNow());
            using var response = await this.PostAsync(url, evt.Payload, header, CancellationToken.None).ConfigureAwait(false);
            this.deliveries.Enqueue(new WebhookDelivery(evt.Id, evt.Type, url, (int)response.StatusCode, null));
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            this.deliveries.Enqueue(new WebhookDelivery(evt.Id, evt.Type, url, null, e.Message));
        }
    }
}
