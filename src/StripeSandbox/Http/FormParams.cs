using System.Globalization;
using System.Net;

namespace TenantBilling.StripeSandbox.Http;

/// <summary>
/// Stripe's form encoding (<c>application/x-www-form-urlencoded</c>, also used for GET query strings):
/// nested objects and lists in bracket notation (<c>lines[0][amount]=100</c>, <c>metadata[key]=v</c>),
/// an empty value meaning "unset" (or an empty list). Parsed once into a tree; typed getters raise
/// Stripe's own 400 answers for malformed or unknown parameters.
/// </summary>
internal sealed class FormParams
{
    private readonly Dictionary<string, Node> children;
    private readonly string prefix;

    private FormParams(Dictionary<string, Node> children, string prefix)
    {
        this.children = children;
        this.prefix = prefix;
    }

    /// <summary>The decoded top-level pairs as sent, sorted; the idempotency fingerprint of a request.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> SortedPairs { get; private init; } = [];

    public static FormParams Empty { get; } = new(new Dictionary<string, Node>(StringComparer.Ordinal), string.Empty);

    public bool IsEmpty => this.children.Count == 0;

    public static FormParams Parse(string? encoded)
    {
        var root = new Dictionary<string, Node>(StringComparer.Ordinal);
        var pairs = new List<KeyValuePair<string, string>>();
        if (string.IsNullOrEmpty(encoded))
        {
            return new FormParams(root, string.Empty) { SortedPairs = pairs };
        }

        foreach (var part in encoded.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            var key = WebUtility.UrlDecode(eq < 0 ? part : part[..eq]);
            var value = eq < 0 ? string.Empty : WebUtility.UrlDecode(part[(eq + 1)..]);
            pairs.Add(new(key, value));
            Insert(root, key, value);
        }

        pairs.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key) is var c && c != 0 ? c : string.CompareOrdinal(a.Value, b.Value));
        return new FormParams(root, string.Empty) { SortedPairs = pairs };
    }

    /// <summary>Rejects any parameter not in <paramref name="allowed"/>, as Stripe does.</summary>
    public void EnsureOnly(params string[] allowed)
    {
        foreach (var key in this.children.Keys)
        {
            if (Array.IndexOf(allowed, key) < 0)
            {
                throw StripeApiException.UnknownParam(this.Name(key));
            }
        }
    }

    public bool Has(string name) => this.children.ContainsKey(name);

    /// <summary>Whether the parameter was sent as an object (<c>name[key]=…</c>) rather than a value.</summary>
    public bool HasObject(string name) => this.children.TryGetValue(name, out var node) && node.Children is not null;

    /// <summary>A string; an empty value reads as "" (callers treat it as "unset").</summary>
    public string? String(string name)
    {
        if (!this.children.TryGetValue(name, out var node))
        {
            return null;
        }

        return node.Value ?? throw StripeApiException.InvalidRequest($"Invalid string: {this.Name(name)} must be a string.", this.Name(name));
    }

    /// <summary>A string that is absent or empty reads as null.</summary>
    public string? NonEmpty(string name) => this.String(name) is { Length: > 0 } s ? s : null;

    public string Required(string name) => this.NonEmpty(name) ?? throw StripeApiException.MissingParam(this.Name(name));

    public long? Long(string name)
    {
        var raw = this.NonEmpty(name);
        if (raw is null)
        {
            return null;
        }

        return long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw StripeApiException.InvalidRequest($"Invalid integer: {raw}", this.Name(name));
    }

    public decimal? Decimal(string name)
    {
        var raw = this.NonEmpty(name);
        if (raw is null)
        {
            return null;
        }

        return decimal.TryParse(raw, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw StripeApiException.InvalidRequest($"Invalid decimal: {raw}", this.Name(name));
    }

    /// <summary>A boolean; Stripe.net writes .NET's <c>True</c>/<c>False</c>, other clients <c>true</c>/<c>false</c>.</summary>
    public bool? Bool(string name)
    {
        var raw = this.NonEmpty(name);
        if (raw is null)
        {
            return null;
        }

        return bool.TryParse(raw, out var v)
            ? v
            : throw StripeApiException.InvalidRequest($"Invalid boolean: {raw}", this.Name(name));
    }

    /// <summary>A nested object, or null when absent or sent empty.</summary>
    public FormParams? Object(string name)
    {
        if (!this.children.TryGetValue(name, out var node) || node.Value == string.Empty)
        {
            return null;
        }

        return node.Children is { } c
            ? new FormParams(c, this.Name(name))
            : throw StripeApiException.InvalidRequest($"Invalid object: {this.Name(name)}", this.Name(name));
    }

    /// <summary>A list sent as <c>name[0]...</c>, in index order; <c>name=</c> is an empty list.</summary>
    public IReadOnlyList<FormParams> List(string name) =>
        this.ListNodes(name).Select(x => x.Node.Children is { } c
                ? new FormParams(c, $"{this.Name(name)}[{x.Index}]")
                : throw StripeApiException.InvalidRequest($"Invalid array: {this.Name(name)}", this.Name(name)))
            .ToList();

    public IReadOnlyList<string> StringList(string name) =>
        this.ListNodes(name).Select(x => x.Node.Value ?? throw StripeApiException.InvalidRequest($"Invalid array: {this.Name(name)}", this.Name(name)))
            .ToList();

    /// <summary>
    /// Metadata as an update: null when absent; otherwise the keys to set (value) or remove (null),
    /// with <paramref name="clearAll"/> set for <c>metadata=</c>.
    /// </summary>
    public IReadOnlyDictionary<string, string?>? Metadata(string name, out bool clearAll)
    {
        clearAll = false;
        if (!this.children.TryGetValue(name, out var node))
        {
            return null;
        }

        if (node.Value is not null)
        {
            clearAll = node.Value.Length == 0;
            return clearAll
                ? new Dictionary<string, string?>()
                : throw StripeApiException.InvalidRequest($"Invalid object: {this.Name(name)}", this.Name(name));
        }

        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, child) in node.Children!)
        {
            if (child.Value is null)
            {
                throw StripeApiException.InvalidRequest($"Invalid metadata value for {key}: metadata values must be strings.", $"{this.Name(name)}[{key}]");
            }

            result[key] = child.Value.Length == 0 ? null : child.Value;
        }

        return result;
    }

    private List<(string Index, Node Node)> ListNodes(string name)
    {
        if (!this.children.TryGetValue(name, out var node) || node.Value == string.Empty)
        {
            return [];
        }

        if (node.Children is null)
        {
            throw StripeApiException.InvalidRequest($"Invalid array: {this.Name(name)}", this.Name(name));
        }

        return node.Children
            .Select(kv => (Index: kv.Key, Number: int.TryParse(kv.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1, kv.Value))
            .Select(x => x.Number >= 0 ? x : throw StripeApiException.InvalidRequest($"Invalid array: {this.Name(name)}", this.Name(name)))
            .OrderBy(x => x.Number)
            .Select(x => (x.Index, x.Value))
            .ToList();
    }

    /// <summary>The full parameter name of a child, as Stripe names it in errors (<c>lines[0][tax_amounts]</c>).</summary>
    public string Name(string key) => this.prefix.Length == 0 ? key : $"{this.prefix}[{key}]";

    private static void Insert(Dictionary<string, Node> root, string key, string value)
    {
        var segments = SplitKey(key);
        var level = root;
        for (var i = 0; i < segments.Count; i++)
        {
            var segment = segments[i].Length == 0 ? level.Count.ToString(CultureInfo.InvariantCulture) : segments[i];
            var last = i == segments.Count - 1;
            if (last)
            {
                if (level.TryGetValue(segment, out var existing) && existing.Children is not null)
                {
                    throw StripeApiException.InvalidRequest($"Invalid parameter: {key} is both a value and an object.", key);
                }

                level[segment] = new Node { Value = value };
                return;
            }

            if (!level.TryGetValue(segment, out var next) || next.Value == string.Empty)
            {
                next = new Node { Children = new Dictionary<string, Node>(StringComparer.Ordinal) };
                level[segment] = next;
            }
            else if (next.Children is null)
            {
                throw StripeApiException.InvalidRequest($"Invalid parameter: {key} is both a value and an object.", key);
            }

            level = next.Children;
        }
    }

    private static List<string> SplitKey(string key)
    {
        var open = key.IndexOf('[', StringComparison.Ordinal);
        if (open < 0)
        {
            return [key];
        }

        var segments = new List<string> { key[..open] };
        var i = open;
        while (i < key.Length && key[i] == '[')
        {
            var close = key.IndexOf(']', i);
            if (close < 0)
            {
                throw StripeApiException.InvalidRequest($"Invalid parameter name: {key}", key);
            }

            segments.Add(key[(i + 1)..close]);
            i = close + 1;
        }

        return i == key.Length ? segments : throw StripeApiException.InvalidRequest($"Invalid parameter name: {key}", key);
    }

    private sealed class Node
    {
        public string? Value { get; init; }

        public Dictionary<string, Node>? Children { get; init; }
    }
}
