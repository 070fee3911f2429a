using System.Globalization;
using System.Net;
using System.Text;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// A request's parameters in Stripe's form encoding, written straight from our values, byte for byte what
/// Stripe.net's own encoder writes for the same options (<c>StripeWireFormatTests</c> holds every shape we
/// send to it): <c>key=value</c> pairs joined by <c>&amp;</c> in the order given, values encoded as
/// <see cref="WebUtility.UrlEncode"/> does (space as <c>+</c>, UTF-8 bytes as upper-case <c>%XX</c>) with
/// square brackets left as they are, integers and decimals in the invariant culture, booleans as
/// <c>true</c>/<c>false</c>, and an empty string for a value cleared. Keys are written as given: ours are
/// ASCII names with brackets (<c>lines[0][tax_amounts][1][amount]</c>), which need no encoding.
/// </summary>
public sealed class StripeForm
{
    private readonly StringBuilder text = new(256);

    public StripeForm Add(string key, string value)
    {
        if (text.Length > 0)
        {
            text.Append('&');
        }

        text.Append(key).Append('=');
        AppendEncoded(text, value);
        return this;
    }

    public StripeForm Add(string key, long value)
    {
        if (text.Length > 0)
        {
            text.Append('&');
        }

        text.Append(key).Append('=').Append(value.ToString(CultureInfo.InvariantCulture));
        return this;
    }

    public StripeForm Add(string key, decimal value) => Add(key, value.ToString(CultureInfo.InvariantCulture));

    public StripeForm Add(string key, bool value) => Add(key, value ? "true" : "false");

    /// <summary>Adds the pair only when <paramref name="value"/> is not null (an option left unset).</summary>
    public StripeForm AddIfSet(string key, string? value) => value is null ? this : Add(key, value);

    /// <summary>Adds the pair only when <paramref name="value"/> is not null (an option left unset).</summary>
    public StripeForm AddIfSet(string key, long? value) => value is { } set ? Add(key, set) : this;

    public override string ToString() => text.ToString();

    /// <summary>
    /// <see cref="WebUtility.UrlEncode"/> with <c>[</c> and <c>]</c> kept: ASCII letters, digits and
    /// <c>-_.!*()[]</c> as they are, space as <c>+</c>; anything else goes through WebUtility itself.
    /// </summary>
    private static void AppendEncoded(StringBuilder into, string value)
    {
        foreach (var c in value)
        {
            if (!IsPlain(c))
            {
                into.Append(WebUtility.UrlEncode(value).Replace("%5B", "[", StringComparison.Ordinal).Replace("%5D", "]", StringComparison.Ordinal));
                return;
            }
        }

        into.Append(value);
    }

    private static bool IsPlain(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.' or '!' or '*' or '(' or ')' or '[' or ']';
}
