namespace TenantBilling.Benchmarks;

/// <summary>One benchmark: prints its figures to standard output.</summary>
internal interface IBenchmark
{
    /// <summary>The name given on the command line.</summary>
    string Name { get; }

    /// <summary>One line saying what is measured.</summary>
    string Description { get; }

    Task RunAsync(IReadOnlyList<string> args);
}
