namespace TenantBilling.Grains.Interfaces;

/// <summary>What kind of expected failure a grain reports; the API maps each kind to one HTTP status.</summary>
[GenerateSerializer, Alias("problem-kind")]
public enum ProblemKind
{
    /// <summary>The input breaks a rule (400, with errors per field).</summary>
    Validation,
    /// <summary>The resource does not exist (404).</summary>
    NotFound,
    /// <summary>The resource's current state forbids the request (409).</summary>
    Conflict,
    /// <summary>Well-formed input that cannot be processed, such as an address that does not match (422).</summary>
    Unprocessable,
    /// <summary>A dependency (the tax provider) did not answer; nothing was done and the request can be repeated (503).</summary>
    Unavailable,
}

/// <summary>
/// An expected failure raised by a grain before it changes anything. The API turns it into an
/// RFC 9457 problem response in one place.
/// </summary>
[GenerateSerializer, Alias("billing-problem")]
public sealed class BillingProblemException : Exception
{
    public BillingProblemException(ProblemKind kind, string title, IReadOnlyDictionary<string, string[]>? errors = null)
        : base(title)
    {
        Kind = kind;
        Title = title;
        Errors = errors is null ? null : new Dictionary<string, string[]>(errors, StringComparer.Ordinal);
    }

    [Id(0)]
    public ProblemKind Kind { get; }

    [Id(1)]
    public string Title { get; }

    /// <summary>Messages per field (camelCase JSON paths), when the problem concerns fields.</summary>
    [Id(2)]
    public Dictionary<string, string[]>? Errors { get; }

    /// <summary>For <see cref="ProblemKind.Unavailable"/>: when the request may succeed, if the grain knows (else the API's usual Retry-After).</summary>
    [Id(3)]
    public TimeSpan? RetryAfter { get; init; }

    public static BillingProblemException NotFound(string what) => new(ProblemKind.NotFound, $"{what} was not found.");

    public static BillingProblemException Conflict(string title) => new(ProblemKind.Conflict, title);

    public static BillingProblemException Invalid(IReadOnlyDictionary<string, string[]> errors) =>
        new(ProblemKind.Validation, "One or more fields are invalid.", errors);

    public static BillingProblemException Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]> { [field] = [message] });
}
