using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// Encrypts the Stripe keys accounts give us before they are stored (AES-256-GCM with the configured
/// <see cref="StripeOptions.EncryptionKey"/>; a fresh nonce per value). Stored form: nonce | tag | ciphertext.
/// </summary>
public sealed class SecretProtector(IOptions<StripeOptions> options)
{
    private const int NonceSize = 12;
    private const int TagSize = 16;

    public bool IsConfigured => options.Value.EncryptionKey is { Length: > 0 };

    public byte[] Protect(string secret)
    {
        var plain = Encoding.UTF8.GetBytes(secret);
        var sealedValue = new byte[NonceSize + TagSize + plain.Length];
        var nonce = sealedValue.AsSpan(0, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(Key(), TagSize);
        aes.Encrypt(nonce, plain, sealedValue.AsSpan(NonceSize + TagSize), sealedValue.AsSpan(NonceSize, TagSize));
        return sealedValue;
    }

    public string Unprotect(byte[] sealedValue)
    {
        var plain = new byte[sealedValue.Length - NonceSize - TagSize];
        using var aes = new AesGcm(Key(), TagSize);
        aes.Decrypt(sealedValue.AsSpan(0, NonceSize), sealedValue.AsSpan(NonceSize + TagSize), sealedValue.AsSpan(NonceSize, TagSize), plain);
        return Encoding.UTF8.GetString(plain);
    }

    private byte[] Key()
    {
        var key = Convert.FromBase64String(options.Value.EncryptionKey
            ?? throw new InvalidOperationException("Stripe:EncryptionKey is not configured."));
        return key.Length == 32 ? key : throw new InvalidOperationException("Stripe:EncryptionKey must be 32 bytes (base64).");
    }
}
