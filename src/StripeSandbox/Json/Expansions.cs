using TenantBilling.StripeSandbox.Http;

namespace TenantBilling.StripeSandbox.Json;

/// <summary>The <c>expand[]</c> paths of a request, checked against what the object can expand.</summary>
internal sealed class Expansions
{
    private readonly HashSet<string> paths;

    private Expansions(HashSet<string> paths) => this.paths = paths;

    public static Expansions None { get; } = new([]);

    /// <summary>Reads <c>expand</c>; on a list or search, paths start with <c>data.</c>.</summary>
    public static Expansions From(FormParams form, bool isList, params string[] allowed)
    {
        var requested = form.StringList("expand");
        var result = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in requested)
        {
            var path = raw;
            if (isList)
            {
                path = path.StartsWith("data.", StringComparison.Ordinal) ? path["data.".Length..] : string.Empty;
            }

            if (Array.IndexOf(allowed, path) < 0)
            {
                throw StripeApiException.InvalidRequest($"This property cannot be expanded ({raw}).", "expand");
            }

            result.Add(path);
        }

        return new Expansions(result);
    }

    public bool Has(string path) => this.paths.Contains(path);
}
