using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace TenantBilling.StripeSandbox.Webhooks;

/// <summary>
/// Stripe's webhook signature: header <c>t={unix seconds},v1={hex HMAC-SHA256(secret, "{t}.{payload}")}</c>,
/// the secret's UTF-8 bytes (the whole <c>whsec_...</c> string) as the key.
/// </summary>
public static class WebhookSigner
{
    /// <summary>The <c>Stripe-Signature</c> header value for <paramref name="payload"/> signed at <paramref name="timestamp"/>.</summary>
    public static string SignatureHeader(string payload, string secret, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(payload);
        ArgumentNullException.ThrowIfNull(secret);
        var t = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{t}.{payload}"));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }
}
