using System.Reflection;
using TenantBilling.Benchmarks;

// Usage: dotnet run -c Release --project tests/Benchmarks -- <name> [args...]   (no name: list them)
var benchmarks = Assembly.GetExecutingAssembly().GetTypes()
    .Where(t => typeof(IBenchmark).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false })
    .Select(t => (IBenchmark)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToList();

var chosen = args.Length > 0 ? benchmarks.FirstOrDefault(b => b.Name == args[0]) : null;
if (chosen is null)
{
    Console.WriteLine("Benchmarks (dotnet run -c Release --project tests/Benchmarks -- <name>):");
    foreach (var benchmark in benchmarks)
    {
        Console.WriteLine($"  {benchmark.Name,-20} {benchmark.Description}");
    }

    return args.Length > 0 ? 2 : 0;
}

Console.WriteLine($"# {chosen.Name}: {chosen.Description}");
Console.WriteLine($"# {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
await chosen.RunAsync(args.Skip(1).ToList());
return 0;
