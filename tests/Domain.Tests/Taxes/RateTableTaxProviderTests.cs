using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Grains.Interfaces.Models;
using static TenantBilling.Domain.Tests.Taxes.TaxFixtures;

namespace TenantBilling.Domain.Tests.Taxes;

public sealed class RateTableTaxProviderTests : IDisposable
{
    private const string ReplacementTable =
        """
        jurisdiction_level,jurisdiction_code,tax_code,name,basis,rate,amount_per_unit,unit,applies_to,effective_from,source_url
        federal,US,FUSF,Operator USF,percent_of_interstate_and_international_end_user_telecom_revenue,0.40,,,telecom,2026-01-01,https://operator.test/usf
        federal,US,FUSF_VOIP_SAFE_HARBOR,Safe harbour,share_of_total_voip_telecom_revenue,0.649,,,voip,2006-06-27,https://operator.test/harbour
        state,TX,E911_VOIP,Texas 911,flat_per_line_per_month,,0.50,USD/line/month,voip,2026-01-01,https://operator.test/tx911
        """;

    private readonly string directory = Directory.CreateTempSubdirectory("tax-table-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static TaxRequest MinnesotaChannels() =>
        Request(Minnesota, "2026-05-10", Product("channels", "sip_channels", 5m, 100.00m));

    [Fact]
    public async Task QuoteAndCommitRateAlikeAndNameTheProviderAndDocument()
    {
        var provider = new RateTableTaxProvider(TaxRateTableLoader.Load(new TaxTableOptions()));
        var request = MinnesotaChannels();

        var quote = await provider.QuoteAsync(request, CancellationToken.None);
        var commit = await provider.CommitAsync(request, CancellationToken.None);

        Assert.Equal(("acct-1/tenant-1/2026-01", RateTableTaxProvider.ProviderName), (quote.DocumentCode, quote.Provider));
        Assert.Equal(quote.Lines, commit.Lines);
        Assert.Equal(35.64m, quote.TotalTax); // 24.01 USF + 4.75 911 + 6.88 sales (see the Minnesota worked example)
    }

    [Fact]
    public async Task VoidOfACommittedUnknownOrVoidedDocumentDoesNothingAndAnEmptyCodeIsRefused()
    {
        var provider = new RateTableTaxProvider(Embedded);
        var request = MinnesotaChannels();
        var committed = await provider.CommitAsync(request, CancellationToken.None);

        var voids = new[]
        {
            provider.VoidAsync(request.DocumentCode, CancellationToken.None),   // the committed document
            provider.VoidAsync(request.DocumentCode, CancellationToken.None),   // voided again
            provider.VoidAsync("acct-1/tenant-1/1999-01", CancellationToken.None), // never committed
        };

        Assert.All(voids, v => Assert.True(v.IsCompletedSuccessfully));
        var again = await provider.CommitAsync(request, CancellationToken.None);
        Assert.Equal(committed.Lines, again.Lines);   // the table keeps nothing that a void could undo
        Assert.Equal(35.64m, again.TotalTax);
        await Assert.ThrowsAsync<ArgumentException>(() => provider.VoidAsync("", CancellationToken.None));
        await Assert.ThrowsAsync<ArgumentNullException>(() => provider.VoidAsync(null!, CancellationToken.None));
    }

    [Fact]
    public async Task ACancelledCallDoesNotRate()
    {
        var provider = new RateTableTaxProvider(Embedded);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.QuoteAsync(MinnesotaChannels(), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.CommitAsync(MinnesotaChannels(), cancelled.Token));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => provider.VoidAsync("doc", cancelled.Token));
    }

    [Fact]
    public async Task AReplacementTableFileIsUsedInsteadOfTheEmbeddedOne()
    {
        var path = Path.Combine(directory, "rates.csv");
        await File.WriteAllTextAsync(path, ReplacementTable);
        var provider = new RateTableTaxProvider(TaxRateTableLoader.Load(new TaxTableOptions { TablePath = path }));

        var result = await provider.QuoteAsync(
            Request(Texas, "2026-02-01", Product("channels", "sip_channels", 4m, 40.00m)),
            CancellationToken.None);

        Assert.Equal(path, provider.Table.Source);
        Assert.Equal(
            [
                ("channels", "FUSF", "US", 10.38m),     // 40.00 × 0.649 = 25.96; × 0.40 = 10.384 → 10.38
                ("channels", "E911_VOIP", "TX", 2.00m), // 4 × 0.50 (the embedded table has no TX 911)
            ],
            Summary(result.Lines));
    }

    [Fact]
    public async Task AMalformedReplacementFileIsRefusedNamingTheFileLineAndColumn()
    {
        var path = Path.Combine(directory, "broken.csv");
        await File.WriteAllTextAsync(path, ReplacementTable.Replace("0.50,USD", "0.5O,USD", StringComparison.Ordinal));

        var error = Assert.Throws<TaxTableFormatException>(() => TaxRateTableLoader.Load(new TaxTableOptions { TablePath = path }));

        Assert.Equal((path, 4, 7), (error.TableSource, error.Line, error.Column));
        Assert.Contains($"'{path}' line 4, column 7 (amount_per_unit)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingReplacementFileIsRefused()
    {
        var path = Path.Combine(directory, "absent.csv");

        Assert.Throws<FileNotFoundException>(() => TaxRateTableLoader.Load(new TaxTableOptions { TablePath = path }));
    }
}
