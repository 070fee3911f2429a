using System.Security.Cryptography;
using System.Text;

namespace TenantBilling.StripeSandbox.State;

/// <summary>Stripe-looking ids: a prefix and 24 random base-62 characters.</summary>
internal static class Ids
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    public static string New(string prefix) => prefix + "_" + RandomString(24, Alphabet);

    /// <summary>An account id derived from an API key, so one key always names the same platform account.</summary>
    public static string PlatformAccount(string apiKey)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(apiKey));
        return "acct_" + Convert.ToHexString(hash, 0, 8);
    }

    /// <summary>An invoice-number prefix: 8 upper-case letters and digits, as Stripe gives each customer.</summary>
    public static string InvoicePrefix() => Random(8);

    /// <summary><paramref name="length"/> random upper-case letters and digits.</summary>
    public static string Random(int length) => RandomString(length, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");

    private static string RandomString(int length, string alphabet)
    {
        Span<char> chars = stackalloc char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[System.Random.Shared.Next(alphabet.Length)];
        }

        return new string(chars);
    }
}
