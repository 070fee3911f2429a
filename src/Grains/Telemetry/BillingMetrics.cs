using System.Diagnostics.Metrics;

namespace TenantBilling.Grains.Telemetry;

/// <summary>
/// The product's own meter, <see cref="MeterName"/>. Dimensions are small closed sets (an outcome, a Stripe
/// endpoint pattern, a tax operation): never a tenant, account, invoice or grain id. docs/operations.md
/// says what each instrument means and what to alert on.
/// </summary>
public sealed class BillingMetrics
{
    public const string MeterName = "TenantBilling";

    /// <summary>Bucket bounds for request latencies in seconds (the SDK's defaults are meant for milliseconds).</summary>
    private static readonly IReadOnlyList<double> LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _statements;
    private readonly Histogram<double> _stripeDuration;
    private readonly Counter<long> _stripeRateLimited;
    private readonly Counter<long> _stripeErrors;
    private readonly Histogram<double> _taxDuration;
    private readonly Counter<long> _phantomFees;

    public BillingMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _statements = meter.CreateCounter<long>(
            "tenant_billing.statements.received", "{statement}",
            "Statements delivered by the carrier, by outcome: created, replayed, replaced, or the refusal (invalid, conflict, not_found, unprocessable, unavailable, failed).");
        _stripeDuration = meter.CreateHistogram(
            "tenant_billing.stripe.request.duration", "s",
            "Time of each request to Stripe, by endpoint and outcome (success, rate_limited, client_error, server_error, network_error).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _stripeRateLimited = meter.CreateCounter<long>(
            "tenant_billing.stripe.rate_limited", "{response}", "Stripe answers 429 (too many requests), by endpoint.");
        _stripeErrors = meter.CreateCounter<long>(
            "tenant_billing.stripe.errors", "{response}",
            "Stripe requests that failed other than by a 429, by endpoint and kind (client_error: 4xx; server_error: 5xx; network_error: no answer or a timeout).");
        _taxDuration = meter.CreateHistogram(
            "tenant_billing.tax.request.duration", "s",
            "Time of each call to the tax provider, by provider, operation (quote, commit, void) and outcome (success, error).",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
        _phantomFees = meter.CreateCounter<long>(
            "tenant_billing.phantom_fees", "{fee}", "Phantom-tenant fees recorded in an account's ledger (each once per invoice).");
    }

    public void StatementReceived(string outcome) => _statements.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    public void StripeRequest(string endpoint, StripeOutcome outcome, TimeSpan duration)
    {
        var endpointTag = new KeyValuePair<string, object?>("endpoint", endpoint);
        _stripeDuration.Record(duration.TotalSeconds, endpointTag, new KeyValuePair<string, object?>("outcome", Name(outcome)));
        switch (outcome)
        {
            case StripeOutcome.RateLimited:
                _stripeRateLimited.Add(1, endpointTag);
                break;
            case StripeOutcome.ClientError or StripeOutcome.ServerError or StripeOutcome.NetworkError:
                _stripeErrors.Add(1, endpointTag, new KeyValuePair<string, object?>("kind", Name(outcome)));
                break;
        }
    }

    public void TaxRequest(string provider, string operation, bool succeeded, TimeSpan duration) =>
        _taxDuration.Record(
            duration.TotalSeconds,
            new KeyValuePair<string, object?>("provider", provider),
            new KeyValuePair<string, object?>("operation", operation),
            new KeyValuePair<string, object?>("outcome", succeeded ? "success" : "error"));

    public void PhantomFeeRecorded() => _phantomFees.Add(1);

    private static string Name(StripeOutcome outcome) => outcome switch
    {
        StripeOutcome.Success => "success",
        StripeOutcome.RateLimited => "rate_limited",
        StripeOutcome.ClientError => "client_error",
        StripeOutcome.ServerError => "server_error",
        _ => "network_error",
    };
}

/// <summary>How one request to Stripe ended.</summary>
public enum StripeOutcome
{
    Success,
    RateLimited,
    ClientError,
    ServerError,
    NetworkError,
}
