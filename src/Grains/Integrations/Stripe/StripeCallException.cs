using System.Text.RegularExpressions;
using global::Stripe;
using TenantBilling.Grains.Domain.Stripe;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// A Stripe request that did not succeed, classified. Its message keeps only what Stripe's error says
/// (type, code, message, request id), never the raw answer, and masks anything shaped like a key, so it
/// can go into logs and an invoice's failure reason.
/// </summary>
/// <remarks>Serializable, so its kind survives a grain call (the customer grain's failures reach the invoice grain).</remarks>
[GenerateSerializer, Alias("stripe-call-exception")]
public sealed partial class StripeCallException : Exception
{
    /// <summary>The longest Stripe message kept; Stripe's own are far shorter.</summary>
    public const int MaxMessageLength = 300;

    public StripeCallException(StripeFailureKind kind, string message, string? code = null, int? status = null)
        : base(message)
    {
        Kind = kind;
        Code = code;
        Status = status;
    }

    [Id(0)]
    public StripeFailureKind Kind { get; }

    /// <summary>Stripe's error code (e.g. <c>resource_missing</c>), when it gave one.</summary>
    [Id(1)]
    public string? Code { get; }

    /// <summary>Stripe's HTTP status, when it answered.</summary>
    [Id(2)]
    public int? Status { get; }

    public static StripeCallException From(Exception exception) => exception switch
    {
        StripeCallException already => already,
        StripeException e => new(
            StripeFailures.Classify(e.HttpStatusCode == 0 ? null : (int)e.HttpStatusCode, e.StripeError?.Code, e.StripeError?.Param),
            Summary(e),
            e.StripeError?.Code,
            e.HttpStatusCode == 0 ? null : (int)e.HttpStatusCode),
        HttpRequestException or TaskCanceledException or TimeoutException or IOException =>
            new(StripeFailureKind.Unknown, $"No answer from Stripe ({exception.GetType().Name})."),
        _ => throw new InvalidOperationException("Not a Stripe failure.", exception),
    };

    public static bool IsStripeFailure(Exception exception) =>
        exception is StripeCallException or StripeException or HttpRequestException or TaskCanceledException or TimeoutException or IOException;

    /// <summary>"Stripe's message (invalid_request_error/resource_missing, request req_…)", or a line for an answer with no readable error.</summary>
    public static string Summary(StripeException e)
    {
        var requestId = e.StripeResponse?.RequestId;
        var request = requestId is { Length: > 0 } ? $"request {Clean(requestId, 64)}" : "no request id";
        if (e.StripeError is not { } error || string.IsNullOrWhiteSpace(error.Message))
        {
            var status = e.HttpStatusCode == 0 ? "no status" : $"HTTP {(int)e.HttpStatusCode}";
            return $"Stripe answered without a readable error ({status}, {request}).";
        }

        var kind = string.Join('/', new[] { error.Type, error.Code }.Where(p => !string.IsNullOrWhiteSpace(p)).Select(p => Clean(p!, 64)));
        return $"{Clean(error.Message, MaxMessageLength)} ({(kind.Length > 0 ? kind + ", " : string.Empty)}{request})";
    }

    /// <summary>One line, at most <paramref name="max"/> characters, with keys and signing secrets masked.</summary>
    private static string Clean(string text, int max)
    {
        var line = KeyLike().Replace(WhiteSpace().Replace(text, " ").Trim(), "[key]");
        return line.Length <= max ? line : line[..(max - 1)] + "…";
    }

    [GeneratedRegex(@"\b(sk|rk|pk|whsec)_[A-Za-z0-9_*]+")]
    private static partial Regex KeyLike();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}
