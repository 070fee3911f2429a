using System.Security.Cryptography;

namespace TenantBilling.Grains.Accounts;

/// <summary>
/// Account API keys look like <c>tbk_{keyId}_{secret}</c>: a public key id that names the key's
/// grain, and 256 random bits. Only the SHA-256 of the secret is stored; a fast hash is enough
/// because the secret is random, not a password.
/// </summary>
public static class ApiKeys
{
    private const string Prefix = "tbk_";

    public static (string KeyId, string Key, string SecretHash) Generate()
    {
        var keyId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        return (keyId, $"{Prefix}{keyId}_{secret}", Hash(secret));
    }

    /// <summary>Splits a presented key into its id and the hash of its secret; false when it is not shaped like a key.</summary>
    public static bool TryParse(string? key, out string keyId, out string secretHash)
    {
        keyId = secretHash = string.Empty;
        if (key is null || !key.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        var parts = key[Prefix.Length..].Split('_');
        if (parts is not [{ Length: 24 } id, { Length: 64 } secret] || !IsHex(id) || !IsHex(secret))
        {
            return false;
        }

        keyId = id;
        secretHash = Hash(secret);
        return true;
    }

    public static bool HashesMatch(string expected, string presented) =>
        CryptographicOperations.FixedTimeEquals(Convert.FromHexString(expected), Convert.FromHexString(presented));

    private static string Hash(string secret) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(secret)));

    private static bool IsHex(string text) => text.All(char.IsAsciiHexDigitLower);
}
