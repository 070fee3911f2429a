using Microsoft.Extensions.Options;
using TenantBilling.Grains.Integrations.Stripe;

namespace TenantBilling.Grains.Hosting;

/// <summary>
/// Refuses at start Stripe settings that could only fail later, naming the setting: an encryption key that
/// is not 32 bytes of base64 (AES-256), and an API base that is not an absolute http(s) address. Values of
/// secrets never appear in the message.
/// </summary>
public sealed class StripeOptionsValidator : IValidateOptions<StripeOptions>
{
    private const int EncryptionKeyBytes = 32;

    public ValidateOptionsResult Validate(string? name, StripeOptions options)
    {
        var failures = new List<string>();
        if (!Uri.TryCreate(options.ApiBase, UriKind.Absolute, out var apiBase) || apiBase.Scheme is not ("https" or "http"))
        {
            failures.Add($"{StripeOptions.Section}:{nameof(StripeOptions.ApiBase)} must be an absolute http(s) address such as https://api.stripe.com; '{options.ApiBase}' is not.");
        }

        if (options.EncryptionKey is { Length: > 0 } key)
        {
            var bytes = new byte[key.Length];
            if (!Convert.TryFromBase64String(key, bytes, out var length))
            {
                failures.Add($"{StripeOptions.Section}:{nameof(StripeOptions.EncryptionKey)} is not base64: it must be {EncryptionKeyBytes} random bytes in base64 (e.g. openssl rand -base64 32).");
            }
            else if (length != EncryptionKeyBytes)
            {
                failures.Add($"{StripeOptions.Section}:{nameof(StripeOptions.EncryptionKey)} is {length} bytes: it must be {EncryptionKeyBytes} bytes in base64 (e.g. openssl rand -base64 32).");
            }
        }

        if (options.RequestTimeout <= TimeSpan.Zero || options.RequestTimeout > StripeOptions.LongestRequestTimeout)
        {
            failures.Add($"{StripeOptions.Section}:{nameof(StripeOptions.RequestTimeout)} must be positive and at most {StripeOptions.LongestRequestTimeout:c}; it is {options.RequestTimeout:c}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
