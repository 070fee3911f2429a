using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Net.Http.Headers;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Infrastructure;

/// <summary>
/// The one place where failures become RFC 9457 problem responses: a grain's expected failure maps by
/// its kind; unreadable bodies (bad JSON, wrong types, unknown fields) are 400 naming the field; a
/// body over the route's limit is 413; a body in a charset .NET does not know is 415; a cluster or
/// database that is briefly unavailable (<see cref="ClusterFailures"/>) is 503 with Retry-After. Anything
/// else is a 500 without details.
/// </summary>
public sealed partial class ProblemMapping(IProblemDetailsService problems, ILogger<ProblemMapping> logger) : IExceptionHandler
{
    public const string ClusterUnavailableTitle = "The billing cluster did not answer (a silo is being replaced or the database is unreachable); send the request again.";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, errors) = exception switch
        {
            BillingProblemException problem => (StatusOf(problem.Kind), problem.Title, problem.Errors),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => (413, "The request body is larger than this route accepts.", null),
            BadHttpRequestException { InnerException: JsonException json } => (400, "The request body is not valid JSON for this route.", JsonErrors(json)),
            BadHttpRequestException bad when BoundParameter(bad.Message) is { } parameter =>
                (400, $"The value of '{parameter}' can't be read.", new Dictionary<string, string[]> { [parameter] = ["Wrong type or malformed value."] }),
            BadHttpRequestException { StatusCode: 400 } => (400, "The request is missing its body or a required value.", (Dictionary<string, string[]>?)null),
            BadHttpRequestException bad => (bad.StatusCode, "The request can't be processed as sent.", null),
            // The JSON body reader throws InvalidOperationException, not a bad-request error, for an unknown charset.
            InvalidOperationException when NamesUnknownCharset(httpContext.Request) => (415, "The request body's charset is not supported: send UTF-8.", null),
            _ when ClusterFailures.IsTransient(exception) => (503, ClusterUnavailableTitle, null),
            _ => (500, "An unexpected error occurred.", null),
        };

        if (status == StatusCodes.Status503ServiceUnavailable)
        {
            if (exception is BillingProblemException { RetryAfter: { } retryAfter })
            {
                // The grain knows when (an interactive request's Stripe slots: StripeInteractiveRule).
                httpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }
            else
            {
                ClusterFailures.AddRetryAfter(httpContext.Response);
            }

            if (exception is not BillingProblemException)
            {
                LogUnavailable(logger, httpContext.Request.Method, httpContext.Request.Path, exception.GetType().Name, exception.Message);
            }
        }
        else if (status >= 500)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = status;
        var details = errors is null
            ? new Microsoft.AspNetCore.Mvc.ProblemDetails { Status = status, Title = title }
            : new Microsoft.AspNetCore.Http.HttpValidationProblemDetails(errors) { Status = status, Title = title };
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = details, Exception = exception });
    }

    public static int StatusOf(ProblemKind kind) => kind switch
    {
        ProblemKind.Validation => StatusCodes.Status400BadRequest,
        ProblemKind.NotFound => StatusCodes.Status404NotFound,
        ProblemKind.Conflict => StatusCodes.Status409Conflict,
        ProblemKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        ProblemKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The JSON path at fault (<c>$.address.postalCode</c> → <c>address.postalCode</c>) with the reader's message.</summary>
    public static Dictionary<string, string[]> JsonErrors(JsonException json)
    {
        var path = json.Path is { Length: > 0 } p ? p.TrimStart('$').TrimStart('.') : string.Empty;
        var message = json.Message.Contains("could not be mapped", StringComparison.Ordinal) ? "Unknown field."
            : json.Message.Contains("Duplicate", StringComparison.OrdinalIgnoreCase) ? "The field appears more than once."
            : json.Path is null or "$" ? "Malformed JSON."
            : "Wrong type or malformed value.";
        return new Dictionary<string, string[]> { [path.Length == 0 ? "body" : path] = [message] };
    }

    private static bool NamesUnknownCharset(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.Charset.Length == 0)
        {
            return false;
        }

        try
        {
            Encoding.GetEncoding(mediaType.Charset.ToString());
            return false;
        }
        catch (ArgumentException)
        {
            return true;
        }
    }

    /// <summary>The parameter named by ASP.NET's binding failure ("Failed to bind parameter \"Nullable&lt;int&gt; limit\" from …").</summary>
    private static string? BoundParameter(string message) =>
        BindFailure().Match(message) is { Success: true } match ? match.Groups["name"].Value : null;

    [System.Text.RegularExpressions.GeneratedRegex("""^Failed to bind parameter "[^"]* (?<name>[A-Za-z0-9_]+)" from""")]
    private static partial System.Text.RegularExpressions.Regex BindFailure();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster unavailable on {Method} {Path}: {Error}: {Message}")]
    private static partial void LogUnavailable(ILogger logger, string method, PathString path, string error, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled error on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, PathString path);
}
