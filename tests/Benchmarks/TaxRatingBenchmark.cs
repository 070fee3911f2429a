using System.Diagnostics;
using System.Globalization;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Benchmarks;

/// <summary>
/// Rates invoices in-process through the built-in provider and the embedded table, as TaxRatingGrain
/// would: invoices per second and bytes allocated per invoice. Args: [invoices] [lines per invoice].
/// </summary>
internal sealed class TaxRatingBenchmark : IBenchmark
{
    private static readonly Jurisdiction[] Places =
    [
        new("TX", "Travis", "48453", "AUSTIN"),
        new("MN", "Hennepin", "27053", "MINNEAPOLIS"),
        new("CA", "Los Angeles", "06037", "LOS ANGELES"),
        new("NJ", "Essex", "34013", "NEWARK"),
        new("PA", "Philadelphia", "42101", "PHILADELPHIA"),
        new("IL", "Cook", "17031", "CHICAGO"),
        new("NY", "New York", "36061", "NEW YORK"),
        new("FL", "Miami-Dade", "12086", "MIAMI"),
    ];

    public string Name => "tax-rating";

    public string Description => "rate N invoices (default 10,000 × 10 lines) through the built-in rate-table provider";

    public async Task RunAsync(IReadOnlyList<string> args)
    {
        var invoices = args.Count > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var linesPerInvoice = args.Count > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;

        var loading = Stopwatch.StartNew();
        var provider = new RateTableTaxProvider(TaxRateTableLoader.Load(new TaxTableOptions()));
        Console.WriteLine($"table: {provider.Table.Rows.Count} rows parsed in {loading.Elapsed.TotalMilliseconds:F1} ms");

        var requests = BuildRequests(invoices, linesPerInvoice);
        await RateAll(provider, requests); // warm-up: JIT and tiering

        const int rounds = 5;
        var rates = new double[rounds];
        long taxLines = 0;
        var totalTax = 0m;
        long allocated = 0;
        for (var round = 0; round < rounds; round++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            (taxLines, totalTax) = await RateAll(provider, requests);
            watch.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            rates[round] = invoices / watch.Elapsed.TotalSeconds;
            Console.WriteLine($"round {round + 1}: {watch.Elapsed.TotalMilliseconds,8:F1} ms  {rates[round],10:N0} invoices/s");
        }

        Array.Sort(rates);
        Console.WriteLine($"invoices: {invoices:N0} × {linesPerInvoice} lines; tax lines: {taxLines:N0} ({(double)taxLines / invoices:F1}/invoice); total tax {totalTax:N2} USD");
        Console.WriteLine($"median {rates[rounds / 2]:N0} invoices/s, best {rates[^1]:N0} invoices/s (target >= 20,000)");
        Console.WriteLine($"allocated {allocated / (double)invoices:N0} bytes/invoice");
    }

    private static async Task<(long TaxLines, decimal TotalTax)> RateAll(RateTableTaxProvider provider, TaxRequest[] requests)
    {
        long taxLines = 0;
        var totalTax = 0m;
        foreach (var request in requests)
        {
            var result = await provider.QuoteAsync(request, CancellationToken.None);
            taxLines += result.Lines.Count;
            totalTax += result.TotalTax;
        }

        return (taxLines, totalTax);
    }

    private static TaxRequest[] BuildRequests(int invoices, int linesPerInvoice)
    {
        var products = ProductCatalog.All;
        var random = new Random(20260510);
        var date = new DateOnly(2026, 5, 10);
        var requests = new TaxRequest[invoices];
        for (var i = 0; i < invoices; i++)
        {
            var lines = new TaxRequestLine[linesPerInvoice];
            for (var l = 0; l < linesPerInvoice; l++)
            {
                // Mostly catalogue products, with a seat line and a non-taxable item now and then.
                var (category, quantity, unitPrice) = (l % 10) switch
                {
                    8 => (TaxCategory.VoipSeats, (decimal)random.Next(1, 40), 24.99m),
                    9 => (TaxCategory.NonTaxable, 1m, 150.00m),
                    _ => products[l % products.Count].TaxCategory switch
                    {
                        TaxCategory.VoipChannels => (TaxCategory.VoipChannels, (decimal)random.Next(1, 50), 15.00m),
                        TaxCategory.PhoneNumbers => (TaxCategory.PhoneNumbers, (decimal)random.Next(1, 200), 1.00m),
                        var other => (other, (decimal)random.Next(1, 20_000), 0.0125m),
                    },
                };
                lines[l] = TaxRequestLine.For($"line-{l}", category, quantity, decimal.Round(quantity * unitPrice, 2, MidpointRounding.AwayFromZero));
            }

            requests[i] = new TaxRequest($"acct-{i % 50}/tenant-{i}/2026-04", date, Places[i % Places.Length], TaxExemptions.None, lines);
        }

        return requests;
    }
}
