using System.Globalization;

namespace TenantBilling.Benchmarks.EndToEnd;

/// <summary>Command-line options of the end-to-end benchmarks: <c>--name value</c> pairs.</summary>
internal sealed class Options
{
    /// <summary>Environment variable with a PostgreSQL server's connection string (e.g. from <c>scripts/postgres.sh start</c>).</summary>
    public const string PostgresVariable = "TENANTBILLING_BENCH_POSTGRES";

    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public Options(IReadOnlyList<string> args)
    {
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Count)
            {
                throw new ArgumentException($"Expected --name value pairs, got '{args[i]}'.");
            }

            _values[args[i][2..]] = args[++i];
        }
    }

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out var value) ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;

    public string? Text(string name) => _values.GetValueOrDefault(name);

    /// <summary>Extra environment for the API process, for experiments: <c>--api-env "DOTNET_gcServer=0;Billing__RetryInterval=00:01:00"</c>.</summary>
    public IReadOnlyDictionary<string, string> ApiEnvironment() => EnvironmentOf("api-env");

    /// <summary>
    /// The API builds to run, in order: <c>--compare PATH</c> first runs the API dll at PATH (e.g. main's commit
    /// built into another folder) labelled "before", then this checkout's build labelled "after", in the same run.
    /// Each gets <c>--api-env</c>, and the before build <c>--before-env</c>, the after build <c>--after-env</c> on top:
    /// <c>--compare</c> with this checkout's own dll and <c>--after-env "DOTNET_TieredPGO=0"</c> measures a runtime setting alone.
    /// </summary>
    public IReadOnlyList<(string Label, string Dll, IReadOnlyDictionary<string, string> Environment)> ApiBuilds() =>
        Text("compare") is { } before
            ? [("before", Path.GetFullPath(before), Merged("before-env")), ("after", OwnDll, Merged("after-env"))]
            : [("this build", OwnDll, ApiEnvironment())];

    /// <summary>This checkout's API build, or <c>--api-dll PATH</c> (e.g. a published build, or a copy that a rebuild cannot change mid-run).</summary>
    private string OwnDll => Text("api-dll") is { } dll ? Path.GetFullPath(dll) : ApiProcess.OwnDll;

    private Dictionary<string, string> Merged(string name)
    {
        var merged = new Dictionary<string, string>(ApiEnvironment(), StringComparer.Ordinal);
        foreach (var (key, value) in EnvironmentOf(name))
        {
            merged[key] = value;
        }

        return merged;
    }

    private Dictionary<string, string> EnvironmentOf(string name) =>
        (Text(name) ?? string.Empty).Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(pair => pair.Split('=', 2))
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);

    /// <summary><c>--attribute true</c>: log every row written to the Orleans tables by grain type (a trigger per row, so it costs PostgreSQL CPU).</summary>
    public bool Attribute => Text("attribute") is "true" or "1" or "yes";

    /// <summary>The PostgreSQL server to use: --postgres, else the environment variable, else none.</summary>
    public string? Postgres => Text("postgres") ?? (Environment.GetEnvironmentVariable(PostgresVariable) is { Length: > 0 } value ? value : null);

    /// <summary>The stores to run on: --store memory|postgres|both; by default both when a server is given.</summary>
    public IReadOnlyList<string> Stores()
    {
        var store = Text("store") ?? (Postgres is null ? "memory" : "both");
        var stores = store switch
        {
            "memory" => new[] { "memory" },
            "postgres" => ["postgres"],
            "both" => ["memory", "postgres"],
            _ => throw new ArgumentException("--store is memory, postgres or both."),
        };
        if (stores.Contains("postgres") && Postgres is null)
        {
            throw new ArgumentException($"PostgreSQL needs --postgres <connection string> or {PostgresVariable} (CS=$(scripts/postgres.sh start)).");
        }

        return stores;
    }
}
