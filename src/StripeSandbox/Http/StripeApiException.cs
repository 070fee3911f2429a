namespace TenantBilling.StripeSandbox.Http;

/// <summary>
/// A Stripe error answer raised by an endpoint. <see cref="Stored"/> says whether the idempotency layer
/// keeps it: Stripe saves results only once an endpoint has started executing, so parameter and state
/// validation failures are not saved while a declined charge is.
/// </summary>
internal sealed class StripeApiException(
    int status,
    string type,
    string message,
    string? code = null,
    string? param = null,
    bool stored = false) : Exception(message)
{
    public int Status { get; } = status;

    public string Type { get; } = type;

    public string? Code { get; } = code;

    public string? Param { get; } = param;

    public bool Stored { get; } = stored;

    public string? DeclineCode { get; init; }

    public string? Charge { get; init; }

    public string? PaymentMethodId { get; init; }

    public static StripeApiException InvalidRequest(string message, string? param = null, string? code = null) =>
        new(400, "invalid_request_error", message, code, param);

    public static StripeApiException MissingParam(string param) =>
        InvalidRequest($"Missing required param: {param}.", param, "parameter_missing");

    public static StripeApiException UnknownParam(string param) =>
        InvalidRequest($"Received unknown parameter: {param}", param, "parameter_unknown");

    public static StripeApiException NoSuch(string objectName, string id, string param = "id") =>
        new(404, "invalid_request_error", $"No such {objectName}: '{id}'", "resource_missing", param);

    public static StripeApiException State(string message) =>
        InvalidRequest(message, code: "invoice_not_editable");
}
