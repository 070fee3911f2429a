namespace TenantBilling.StripeSandbox.Http;

/// <summary>A finished answer: status and JSON body bytes, kept as-is for idempotent replay.</summary>
internal sealed record FakeResponse(int Status, byte[] Body)
{
    public static FakeResponse Ok(byte[] body) => new(200, body);

    public static FakeResponse Error(StripeApiException error) =>
        new(error.Status, Json.StripeJson.Error(error));

    public static FakeResponse Error(int status, string type, string message, string? code = null) =>
        Error(new StripeApiException(status, type, message, code));
}
