using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TenantBilling.Api.Tests.Support;

/// <summary>A valid body of one request type, and the fields of it that may be left out.</summary>
public sealed record BodySample(string Json, params string[] Optional);

/// <summary>
/// One broken body and the answer it must get: <paramref name="Status"/>, and for a 400 about one field,
/// errors naming <paramref name="Field"/> (or something inside it) and nothing else; with
/// <paramref name="OrSibling"/> a neighbour inside the same object may be named instead (a product item
/// without its productCode is read as a custom item missing its description).
/// </summary>
public sealed record BadBody(string Case, byte[] Body, int Status, string? Field = null, bool OrSibling = false, string? ContentType = Http.Json, bool Chunked = false)
{
    /// <summary>Whether <paramref name="errorFields"/> are what this case must name.</summary>
    public bool NamesItsField(IReadOnlyList<string> errorFields)
    {
        if (Field is null)
        {
            return true;
        }

        var scope = OrSibling && BadBodies.Parent(Field) is { } parent ? parent : Field;
        return errorFields.Count > 0 && errorFields.All(f => Within(f, scope));
    }

    private static bool Within(string field, string scope) =>
        field == scope || field.StartsWith(scope + ".", StringComparison.Ordinal) || field.StartsWith(scope + "[", StringComparison.Ordinal);
}

/// <summary>
/// Breaks a valid sample body one field at a time, walking the JSON alongside the request type so maps,
/// lists and records are told apart: wrong types, null, missing, empty and over-long strings, unpaired
/// surrogates and invalid UTF-8, numbers out of range, unknown and repeated fields, too many items. Plus
/// whole-body breaks (malformed JSON, an array for an object, wrong media types, over-size bodies).
/// </summary>
public static class BadBodies
{
    public const int OverLongLength = 10_000;
    public const int OverSize = 1024 * 1024 + 1;

    /// <summary>Written into the JSON, then swapped for text the writer refuses to produce.</summary>
    private const string LoneSurrogateMarker = "@@lone-surrogate@@";
    private const string InvalidUtf8Marker = "@@invalid-utf8@@";
    private const string RawMarker = "@@raw@@";
    private const string DuplicateMarker = "@@duplicate@@";

    private enum Role { Property, MapEntry, ListItem }

    private sealed record Field(string Path, object[] Steps, JsonValueKind Kind, Role Role, bool IsMap);

    /// <summary>The single-field breaks of <paramref name="sample"/>; properties of the type the sample never sets are added to <paramref name="unset"/>.</summary>
    public static IReadOnlyList<BadBody> FieldCases(Type type, BodySample sample, ISet<string> unset, string contentType = Http.Json)
    {
        var root = JsonNode.Parse(sample.Json)!.AsObject();
        var fields = new List<Field>();
        var set = new HashSet<string>(StringComparer.Ordinal);
        var types = new HashSet<Type>();
        Walk(root, type, string.Empty, [], Role.Property, fields, set, types);
        foreach (var record in types)
        {
            foreach (var property in record.GetProperties())
            {
                if (!set.Contains($"{record.Name}.{Camel(property.Name)}"))
                {
                    unset.Add($"{record.Name}.{Camel(property.Name)}");
                }
            }
        }

        var optional = sample.Optional.ToHashSet(StringComparer.Ordinal);
        var cases = new List<BadBody>();
        void Add(string name, Field field, Action<JsonNode> mutate, string? errorField = null, bool orSibling = false)
        {
            var copy = root.DeepClone();
            mutate(copy);
            cases.Add(new BadBody($"{field.Path}: {name}", Encode(copy), 400, errorField ?? field.Path, orSibling, contentType));
        }

        void Replace(string name, Field field, JsonNode? value, string? errorField = null, bool orSibling = false) =>
            Add(name, field, copy => SetAt(copy, field.Steps, value), errorField, orSibling);

        foreach (var field in fields)
        {
            var required = !optional.Contains(field.Path);
            if (required)
            {
                // Inside a list item, a missing field may change what the item is read as (a product item without
                // productCode is a custom item without a description): a sibling may be named instead.
                var inItem = Parent(field.Path)?.EndsWith(']') == true;
                Replace("null", field, null, orSibling: inItem);
                if (field.Role == Role.Property)
                {
                    Add("missing", field, copy => ParentOf(copy, field.Steps).AsObject().Remove((string)field.Steps[^1]), orSibling: inItem);
                }
            }

            switch (field.Kind)
            {
                case JsonValueKind.String:
                    Replace("a number for a string", field, 12345);
                    Replace("an object for a string", field, new JsonObject());
                    Replace($"{OverLongLength:N0} characters", field, new string('x', OverLongLength));
                    Replace("an unpaired surrogate", field, LoneSurrogateMarker);
                    Replace("invalid UTF-8", field, InvalidUtf8Marker);
                    if (required)
                    {
                        Replace("empty", field, string.Empty);
                        Replace("blank", field, "   ");
                    }

                    break;
                case JsonValueKind.Number:
                    Replace("a string for a number", field, "1");
                    Replace("a boolean for a number", field, true);
                    Replace("negative", field, -1);
                    Replace("1e15", field, 1_000_000_000_000_000m);
                    Replace("7 decimals", field, 0.0000001m);
                    Replace("1e400", field, RawMarker + "1e400");
                    break;
                case JsonValueKind.True or JsonValueKind.False:
                    Replace("a string for a boolean", field, "true");
                    Replace("a number for a boolean", field, 1);
                    break;
                case JsonValueKind.Array:
                    Replace("a string for a list", field, "x");
                    Replace("an object for a list", field, new JsonObject());
                    Add("1,000 items", field, copy =>
                    {
                        var list = At(copy, field.Steps).AsArray();
                        for (var i = 0; i < 999; i++)
                        {
                            list.Add(list[0]!.DeepClone());
                        }
                    });
                    break;
                case JsonValueKind.Object:
                    Replace("a string for an object", field, "x");
                    Replace("a list for an object", field, new JsonArray());
                    if (field.IsMap)
                    {
                        Add("an unknown key", field, copy => At(copy, field.Steps).AsObject().Add("no_such_product", 1), $"{field.Path}.no_such_product");
                    }
                    else
                    {
                        Add("an unknown field", field, copy => At(copy, field.Steps).AsObject().Add("unexpected", 1), $"{field.Path}.unexpected");
                    }

                    if (At(root, field.Steps).AsObject().FirstOrDefault().Key is { } first)
                    {
                        Add("a repeated field", field, copy => Duplicate(At(copy, field.Steps).AsObject()), $"{field.Path}.{first}");
                    }

                    break;
            }
        }

        var rootFirst = root.First().Key;
        cases.Add(new BadBody("an unknown field", Encode(With(root, r => r.AsObject().Add("unexpected", 1))), 400, "unexpected", ContentType: contentType));
        cases.Add(new BadBody("a repeated field", Encode(With(root, r => Duplicate(r.AsObject()))), 400, rootFirst, ContentType: contentType));
        return cases;
    }

    /// <summary>Bodies that are not an object of the right shape at all; each is one line (no newline), so it also serves as an NDJSON line.</summary>
    public static IReadOnlyList<BadBody> MalformedCases(BodySample sample, string contentType = Http.Json)
    {
        var json = JsonNode.Parse(sample.Json)!.ToJsonString();
        BadBody Case(string name, string body, string? field = null) => new(name, Encoding.UTF8.GetBytes(body), 400, field, ContentType: contentType);
        return
        [
            Case("truncated JSON", json[..(json.Length / 2)]),
            Case("not JSON", "accountId=acme&name=Acme"),
            Case("a JSON array", $"[{json}]"),
            Case("JSON null", "null"),
            Case("a JSON string", "\"x\""),
            Case("a JSON number", "42"),
            Case("an empty object", "{}"),
            Case("trailing data", json + " x"),
            Case("two objects", json + json),
            Case("a comment", "/* hi */" + json),
            Case("a trailing comma", json[..^1] + ",}"),
            Case("10,000 nested arrays", new string('[', 10_000) + new string(']', 10_000)),
            Case("deep nesting in a field", $"{json[..(json.IndexOf(':', StringComparison.Ordinal) + 1)]}{new string('[', 100)}0{new string(']', 100)}}}"),
            new("invalid UTF-8", [0x7B, 0x22, 0xC3, 0x28, 0x22, 0x3A, 0x31, 0x7D], 400, ContentType: contentType),
        ];
    }

    /// <summary>The sample in a wrong or unreadable media type: 415, whatever the body says.</summary>
    public static IReadOnlyList<BadBody> MediaTypeCases(BodySample sample, string accepted)
    {
        var body = Encoding.UTF8.GetBytes(JsonNode.Parse(sample.Json)!.ToJsonString());
        var wrong = new List<string> { "text/plain", "application/xml", "application/x-www-form-urlencoded" };
        wrong.Add(accepted == Http.Json ? Http.NdJson : Http.Json);
        if (accepted == Http.Json)
        {
            wrong.Add($"{Http.Json}; charset=no-such-charset");
        }

        return wrong.Select(type => new BadBody($"sent as {type}", body, 415, ContentType: type)).ToList();
    }

    /// <summary>A JSON body one byte over the limit, with and without a declared length: 413.</summary>
    public static IReadOnlyList<BadBody> OverSizeCases(string contentType)
    {
        var prefix = "{\"pad\":\"";
        var body = Encoding.UTF8.GetBytes(prefix + new string('x', OverSize - prefix.Length - 2) + "\"}");
        return
        [
            new("1 MB + 1 byte with Content-Length", body, 413, ContentType: contentType),
            new("1 MB + 1 byte chunked", body, 413, ContentType: contentType, Chunked: true),
        ];
    }

    /// <summary>The field path one level up: <c>items[1]</c> for <c>items[1].productCode</c>, <c>items</c> for <c>items[1]</c>; null at the root.</summary>
    public static string? Parent(string path)
    {
        var cut = Math.Max(path.LastIndexOf('.'), path.LastIndexOf('['));
        return cut > 0 ? path[..cut] : null;
    }

    private static void Walk(JsonNode node, Type type, string path, object[] steps, Role role, List<Field> fields, HashSet<string> set, HashSet<Type> types)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        var mapValue = Generic(type, typeof(IDictionary<,>), 1);
        if (steps.Length > 0)
        {
            fields.Add(new Field(path, steps, node.GetValueKind(), role, mapValue is not null));
        }

        switch (node)
        {
            case JsonObject map when mapValue is not null:
                foreach (var (key, value) in map)
                {
                    Walk(value!, mapValue, $"{path}.{key}", [.. steps, key], Role.MapEntry, fields, set, types);
                }

                break;
            case JsonObject record:
                types.Add(type);
                foreach (var (name, value) in record)
                {
                    var property = type.GetProperties().SingleOrDefault(p => Camel(p.Name) == name)
                        ?? throw new InvalidOperationException($"The sample sets '{name}', which {type.Name} does not have.");
                    set.Add($"{type.Name}.{name}");
                    Walk(value!, property.PropertyType, path.Length == 0 ? name : $"{path}.{name}", [.. steps, name], Role.Property, fields, set, types);
                }

                break;
            case JsonArray list:
                var element = Generic(type, typeof(IList<>), 0) ?? throw new InvalidOperationException($"{path} is a list in the sample but {type.Name} in the type.");
                for (var i = 0; i < list.Count; i++)
                {
                    Walk(list[i]!, element, $"{path}[{i}]", [.. steps, i], Role.ListItem, fields, set, types);
                }

                break;
        }
    }

    private static Type? Generic(Type type, Type definition, int argument) =>
        type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == definition)?.GetGenericArguments()[argument];

    private static string Camel(string name) => JsonNamingPolicy.CamelCase.ConvertName(name);

    private static JsonNode At(JsonNode root, object[] steps) =>
        steps.Aggregate(root, (node, step) => step is int index ? node[index]! : node[(string)step]!);

    private static JsonNode ParentOf(JsonNode root, object[] steps) => At(root, steps[..^1]);

    private static void SetAt(JsonNode root, object[] steps, JsonNode? value)
    {
        var parent = ParentOf(root, steps);
        if (steps[^1] is int index)
        {
            parent[index] = value;
        }
        else
        {
            parent[(string)steps[^1]] = value;
        }
    }

    private static JsonNode With(JsonNode root, Action<JsonNode> mutate)
    {
        var copy = root.DeepClone();
        mutate(copy);
        return copy;
    }

    /// <summary>Puts a copy of the object's first field first, under a marked name that <see cref="Encode"/> unmarks.</summary>
    private static void Duplicate(JsonObject target)
    {
        var (name, value) = target.First();
        target.Insert(0, DuplicateMarker + name, value?.DeepClone());
    }

    private static byte[] Encode(JsonNode body)
    {
        var json = body.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping })
            .Replace("\"" + DuplicateMarker, "\"", StringComparison.Ordinal)
            .Replace($"\"{LoneSurrogateMarker}\"", "\"\\uD800\"", StringComparison.Ordinal);
        json = System.Text.RegularExpressions.Regex.Replace(json, $"\"{RawMarker}([^\"]*)\"", "$1");
        var bytes = Encoding.UTF8.GetBytes(json);
        var marker = Encoding.UTF8.GetBytes(InvalidUtf8Marker);
        var index = bytes.AsSpan().IndexOf(marker);
        return index < 0 ? bytes : [.. bytes[..index], 0xC3, 0x28, .. bytes[(index + marker.Length)..]];
    }
}
