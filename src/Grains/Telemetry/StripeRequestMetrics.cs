using System.Net;

namespace TenantBilling.Grains.Telemetry;

/// <summary>
/// Measures every request on the Stripe HttpClient: latency, 429s and errors per endpoint. The endpoint
/// is the method and the path with Stripe's ids replaced (<see cref="EndpointOf"/>), so it is one of the
/// few routes the product calls and never names a customer or an invoice.
/// </summary>
public sealed class StripeRequestMetrics(BillingMetrics metrics, TimeProvider time) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var endpoint = EndpointOf(request.Method, request.RequestUri);
        var started = time.GetTimestamp();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            metrics.StripeRequest(endpoint, OutcomeOf(response.StatusCode), time.GetElapsedTime(started));
            return response;
        }
        catch (Exception exception) when (exception is HttpRequestException or OperationCanceledException)
        {
            metrics.StripeRequest(endpoint, StripeOutcome.NetworkError, time.GetElapsedTime(started));
            throw;
        }
    }

    public static StripeOutcome OutcomeOf(HttpStatusCode status) => (int)status switch
    {
        429 => StripeOutcome.RateLimited,
        >= 500 => StripeOutcome.ServerError,
        >= 400 => StripeOutcome.ClientError,
        _ => StripeOutcome.Success,
    };

    /// <summary>
    /// <c>POST /v1/invoices/{id}/finalize</c> for <c>POST /v1/invoices/in_123/finalize</c>: Stripe's paths are
    /// <c>/v1/{resource}[/{id}[/{action}]]</c>, plus <c>/v1/{resource}/search</c>; the third segment is an id
    /// unless it is <c>search</c>, and anything past the action is cut.
    /// </summary>
    public static string EndpointOf(HttpMethod method, Uri? uri)
    {
        var segments = (uri?.AbsolutePath ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries);
        var path = segments.Length switch
        {
            0 => "/",
            1 => $"/{segments[0]}",
            2 => $"/{segments[0]}/{segments[1]}",
            3 => $"/{segments[0]}/{segments[1]}/{IdOrSearch(segments[2])}",
            _ => $"/{segments[0]}/{segments[1]}/{IdOrSearch(segments[2])}/{segments[3]}",
        };
        return $"{method.Method} {path}";

        static string IdOrSearch(string segment) => segment == "search" ? "search" : "{id}";
    }
}
