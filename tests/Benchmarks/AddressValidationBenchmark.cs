using System.Diagnostics;
using System.Globalization;
using System.Text;
using TenantBilling.Grains.Domain.Addresses;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Benchmarks;

/// <summary>
/// The ZIP index's memory and load time, and the latency of one address validation after start-up, over a
/// mix of real addresses from the embedded data (matching, needing corrections, and not matching).
/// Usage: <c>address [validations]</c>.
/// </summary>
internal sealed class AddressValidationBenchmark : IBenchmark
{
    private const int DefaultValidations = 200_000;
    private const int MinWarmUpValidations = 20_000;
    private static readonly TimeSpan WarmUpTime = TimeSpan.FromSeconds(2);
    private const int DistinctAddresses = 10_000;
    private const int WarmLoads = 5;
    private const double LatencyTargetMs = 1.0;
    private const double IndexTargetMb = 30.0;
    private const double Mb = 1024 * 1024;

    public string Name => "address";

    public string Description => "ZIP index memory and load time, address validation latency (targets < 30 MB, < 1 ms)";

    public Task RunAsync(IReadOnlyList<string> args)
    {
        var validations = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : DefaultValidations;

        var zips = MeasureLoad();
        MeasureWarmLoads();
        MeasureValidation(zips, validations);
        return Task.CompletedTask;
    }

    private static ZipDirectory MeasureLoad()
    {
        FullCollect();
        var heapBefore = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetBefore = Environment.WorkingSet;
        var committedBefore = GC.GetGCMemoryInfo().TotalCommittedBytes;
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();

        var stopwatch = Stopwatch.StartNew();
        var zips = ZipDirectory.LoadEmbedded();
        stopwatch.Stop();

        var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        var workingSetAfterLoad = Environment.WorkingSet;
        FullCollect();
        var heapAfter = GC.GetTotalMemory(forceFullCollection: true);
        var workingSetSettled = Environment.WorkingSet;
        var committedSettled = GC.GetGCMemoryInfo().TotalCommittedBytes;
        GC.KeepAlive(zips);

        var indexMb = (heapAfter - heapBefore) / Mb;
        Console.WriteLine($"ZIP index: {zips.Count:N0} ZIPs, {zips.States.Count} states");
        Console.WriteLine($"  first load (cold: includes JIT and reading the resource): {stopwatch.Elapsed.TotalMilliseconds:F1} ms");
        Console.WriteLine($"  managed heap growth (full GC before and after): {indexMb:F2} MB  target < {IndexTargetMb} MB: {Verdict(indexMb < IndexTargetMb)}");
        Console.WriteLine($"  allocated while loading (mostly transient): {allocated / Mb:F2} MB");
        Console.WriteLine($"  process working set: {workingSetBefore / Mb:F1} MB before, {workingSetAfterLoad / Mb:F1} MB right after load, {workingSetSettled / Mb:F1} MB after full GC ({(workingSetSettled - workingSetBefore) / Mb:+0.0;-0.0} MB)");
        Console.WriteLine($"  GC committed memory: {committedBefore / Mb:F1} MB before, {committedSettled / Mb:F1} MB after load and full GC");
        return zips;
    }

    private static void MeasureWarmLoads()
    {
        var times = new double[WarmLoads];
        for (var i = 0; i < WarmLoads; i++)
        {
            var stopwatch = Stopwatch.StartNew();
            GC.KeepAlive(ZipDirectory.LoadEmbedded());
            times[i] = stopwatch.Elapsed.TotalMilliseconds;
        }

        Console.WriteLine($"  warm load ({WarmLoads} more): mean {times.Average():F1} ms, min {times.Min():F1} ms, max {times.Max():F1} ms");
        FullCollect();
    }

    private static void MeasureValidation(ZipDirectory zips, int validations)
    {
        var validator = new AddressValidator(zips);
        var (addresses, mix) = BuildAddressMix(zips);

        // Tiered JIT promotes hot methods only after a delay (about 100 ms, then a background compile),
        // so warm up by time, not by count, to measure the steady state of a long-running silo.
        var warmUpCalls = 0;
        var warmUpStart = Stopwatch.GetTimestamp();
        while (warmUpCalls < MinWarmUpValidations || Stopwatch.GetElapsedTime(warmUpStart) < WarmUpTime)
        {
            validator.Validate(addresses[warmUpCalls++ % addresses.Length]);
        }

        FullCollect();
        var latencies = new long[validations];
        var valid = 0;
        var corrected = 0;
        var gen0 = GC.CollectionCount(0);
        var gen1 = GC.CollectionCount(1);
        var gen2 = GC.CollectionCount(2);
        var pauseBefore = GC.GetTotalPauseDuration();
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var runStart = Stopwatch.GetTimestamp();
        for (var i = 0; i < validations; i++)
        {
            var address = addresses[i % addresses.Length];
            var start = Stopwatch.GetTimestamp();
            var result = validator.Validate(address);
            latencies[i] = Stopwatch.GetTimestamp() - start;
            valid += result.IsValid ? 1 : 0;
            corrected += result.Corrections.Count > 0 ? 1 : 0;
        }

        var runTime = Stopwatch.GetElapsedTime(runStart);
        var allocatedPerValidation = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)validations;

        Array.Sort(latencies);
        var mean = Microseconds(latencies.Average());
        var p50 = Microseconds(Percentile(latencies, 0.50));
        var p99 = Microseconds(Percentile(latencies, 0.99));
        var p999 = Microseconds(Percentile(latencies, 0.999));
        var max = Microseconds(latencies[^1]);
        var overTarget = latencies.Count(ticks => Microseconds(ticks) >= LatencyTargetMs * 1000);
        Console.WriteLine($"Validation: {validations:N0} calls after {warmUpCalls:N0} warm-up calls ({WarmUpTime.TotalSeconds:F0} s), cycling {addresses.Length:N0} real addresses");
        Console.WriteLine($"  mix: {mix}");
        Console.WriteLine($"  outcome: {100.0 * valid / validations:F1}% valid, {100.0 * corrected / validations:F1}% with corrections");
        Console.WriteLine($"  latency: mean {mean:F2} µs, p50 {p50:F2} µs, p99 {p99:F2} µs, p99.9 {p999:F2} µs, max {max:F1} µs");
        Console.WriteLine($"  target one validation < {LatencyTargetMs} ms: p99 {Verdict(p99 < LatencyTargetMs * 1000)}, max {Verdict(max < LatencyTargetMs * 1000)} ({overTarget} of {validations:N0} calls took {LatencyTargetMs} ms or more)");
        Console.WriteLine($"  throughput {validations / runTime.TotalSeconds:N0} validations/s (one thread, timer included), {allocatedPerValidation:F0} B allocated per validation");
        Console.WriteLine($"  GCs during the run: gen0 {GC.CollectionCount(0) - gen0}, gen1 {GC.CollectionCount(1) - gen1}, gen2 {GC.CollectionCount(2) - gen2}, total pause {(GC.GetTotalPauseDuration() - pauseBefore).TotalMilliseconds:F2} ms");
    }

    /// <summary>
    /// Real rows of the data turned into tenant input: most as given, some needing corrections (case,
    /// nine-digit ZIP, another city name), some that must fail (state of another ZIP, unknown ZIP, other
    /// country). Seeded, so every run validates the same addresses.
    /// </summary>
    private static (PostalAddress[] Addresses, string Mix) BuildAddressMix(ZipDirectory zips)
    {
        var rows = ReadRows();
        var random = new Random(20_260_311);
        var addresses = new PostalAddress[DistinctAddresses];
        var kinds = new (string Name, int Percent, Func<string[], PostalAddress> Make)[]
        {
            ("as given", 50, row => Address(row[1], row[2], row[0], "US")),
            ("lower case + extra spaces", 15, row => Address($"  {row[1].ToLowerInvariant()} ", row[2].ToLowerInvariant(), row[0], " us")),
            ("nine-digit ZIP", 10, row => Address(row[1], row[2], $"{row[0]}{random.Next(10_000):D4}", "US")),
            ("other city name", 8, row => Address(rows[random.Next(rows.Count)][1], row[2], row[0], "US")),
            ("state of another ZIP", 7, row => Address(row[1], OtherState(row[2]), row[0], "US")),
            ("unknown ZIP", 5, row => Address(row[1], row[2], UnknownZip(), "US")),
            ("other country", 5, row => Address(row[1], row[2], row[0], "CA")),
        };

        var next = 0;
        foreach (var (_, percent, make) in kinds)
        {
            for (var end = next + (DistinctAddresses * percent / 100); next < end; next++)
            {
                addresses[next] = make(rows[random.Next(rows.Count)]);
            }
        }

        random.Shuffle(addresses);
        return (addresses, string.Join(", ", kinds.Select(k => $"{k.Percent}% {k.Name}")));

        string OtherState(string state)
        {
            var other = rows[random.Next(rows.Count)][2];
            return other == state ? (state == "TX" ? "CA" : "TX") : other;
        }

        string UnknownZip()
        {
            string zip;
            do
            {
                zip = random.Next(100_000).ToString("D5", CultureInfo.InvariantCulture);
            }
            while (zips.Find(zip) is not null);

            return zip;
        }
    }

    private static PostalAddress Address(string city, string state, string postalCode, string country) =>
        new("100 Main St", null, city, state, postalCode, country);

    private static List<string[]> ReadRows()
    {
        using var stream = typeof(ZipDirectory).Assembly.GetManifestResourceStream(ZipDirectory.EmbeddedResourceName)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd()
            .Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Skip(1)
            .Select(line => line.Split(','))
            .ToList();
    }

    private static long Percentile(long[] sorted, double fraction) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(fraction * sorted.Length) - 1)];

    private static double Microseconds(double ticks) => ticks * 1_000_000 / Stopwatch.Frequency;

    private static string Verdict(bool met) => met ? "met" : "MISSED";

    private static void FullCollect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
