using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Integrations.Taxes;

namespace TenantBilling.Domain.Tests.Taxes;

public sealed class TaxRateTableParserTests
{
    private const string Header =
        "jurisdiction_level,jurisdiction_code,tax_code,name,basis,rate,amount_per_unit,unit,applies_to,effective_from,source_url";

    // Lines 2-4 of every table below; the row under test is line 5.
    private static readonly string[] ValidRows =
    [
        "federal,US,FUSF,USF Q1 2026,percent_of_interstate_and_international_end_user_telecom_revenue,0.376,,,telecom,2026-01-01,https://example.test/fusf",
        "federal,US,FUSF_VOIP_SAFE_HARBOR,Safe harbour,share_of_total_voip_telecom_revenue,0.649,,,voip,2006-06-27,https://example.test/harbour",
        "state,TX,E911_VOIP,\"Texas 911, VoIP\",flat_per_line_per_month,,0.50,USD/line/month,voip,2020-01-01,https://example.test/tx",
    ];

    private static string Table(params string[] extraLines) => string.Join("\n", [Header, .. ValidRows, .. extraLines]) + "\n";

    [Fact]
    public void AValidTableParsesWithQuotedCommasAndKeepsItsSourceLines()
    {
        var table = TaxRateTableParser.Parse(Table(), "test.csv");

        Assert.Equal(3, table.Rows.Count);
        var tx = table.Find(TaxTableCode.E911Voip, "TX", new DateOnly(2026, 1, 1));
        Assert.NotNull(tx);
        Assert.Equal("Texas 911, VoIP", tx.Name);
        Assert.Equal(0.50m, tx.AmountPerUnit);
        Assert.Equal(TaxRowBasis.PerLinePerMonth, tx.BasisKind);
        Assert.Equal(4, tx.SourceLine);
        Assert.Equal("test.csv", table.Source);
    }

    [Fact]
    public void CrlfLineEndsAByteOrderMarkAndBlankLinesAreAccepted()
    {
        var text = "\uFEFF" + Table().Replace("\n", "\r\n", StringComparison.Ordinal) + "\r\n";

        Assert.Equal(3, TaxRateTableParser.Parse(text, "crlf.csv").Rows.Count);
    }

    public static TheoryData<string, int, int, string, string> MalformedRows => new()
    {
        { "federal,US,FUSF,Q2,percent_of_interstate_revenue,abc,,,telecom,2026-04-01,https://x.test", 5, 6, "rate", "'abc' is not a decimal fraction" },
        { "federal,US,FUSF,Q2,percent_of_interstate_revenue,37.0,,,telecom,2026-04-01,https://x.test", 5, 6, "rate", "'37.0' is not a decimal fraction between 0 and 1" },
        { "federal,US,FUSF,Q2,percent_of_interstate_revenue,-0.37,,,telecom,2026-04-01,https://x.test", 5, 6, "rate", "'-0.37' is not a decimal fraction" },
        { "federal,US,FUSF,Q2,percent_of_interstate_revenue,,,,telecom,2026-04-01,https://x.test", 5, 6, "rate", "needs a rate" },
        { "federal,US,FUSF,Q2,percent_of_interstate_revenue,0.37,,,telecom,2026-04-31,https://x.test", 5, 10, "effective_from", "'2026-04-31' is not a date" },
        { "federal,US,FUSF,Q2,percent_of_interstate_revenue,0.37,,,telecom,04/01/2026,https://x.test", 5, 10, "effective_from", "'04/01/2026' is not a date" },
        { "federal,US,FUSF,Q2,percent_of_interstate_revenue,0.37,,,telecom,,https://x.test", 5, 10, "effective_from", "FUSF rows need a date" },
        { "federal,US,FUSF,Q1 again,percent_of_interstate_revenue,0.37,,,telecom,2026-01-01,https://x.test", 5, 10, "effective_from", "already set on line 2" },
        { "federal,US,FUSF,Q2,percent_of_interstate_revenue,0.37,,,telecom,2026-04-01,", 5, 11, "source_url", "is empty" },
        { "federal,US,USF,Q2,percent_of_interstate_revenue,0.37,,,telecom,2026-04-01,https://x.test", 5, 3, "tax_code", "unknown tax code 'USF'" },
        { "state,US,FUSF,Q2,percent_of_interstate_revenue,0.37,,,telecom,2026-04-01,https://x.test", 5, 1, "jurisdiction_level", "FUSF is a federal tax" },
        { "federal,USA,FUSF,Q2,percent_of_interstate_revenue,0.37,,,telecom,2026-04-01,https://x.test", 5, 2, "jurisdiction_code", "must be 'US'" },
        { "county,48453,E911_VOIP,Travis 911,flat_per_line_per_month,,0.50,USD/line/month,voip,2020-01-01,https://x.test", 5, 1, "jurisdiction_level", "level 'county' is not supported" },
        { "state,Tx,E911_VOIP,TX 911,flat_per_line_per_month,,0.50,USD/line/month,voip,2021-01-01,https://x.test", 5, 2, "jurisdiction_code", "'Tx' is not a USPS state code" },
        { "state,NY,E911_VOIP,NY 911,per_call,,0.50,USD/line/month,voip,2021-01-01,https://x.test", 5, 5, "basis", "basis 'per_call' is not understood" },
        { "state,NY,E911_VOIP,NY 911,percent_of_taxable_sales_price,0.01,,,voip,2021-01-01,https://x.test", 5, 5, "basis", "does not fit E911_VOIP" },
        { "state,NY,E911_VOIP,NY 911,flat_per_line_per_month,0.5,,USD/line/month,voip,2021-01-01,https://x.test", 5, 6, "rate", "must be empty for a per-line" },
        { "state,NY,E911_VOIP,NY 911,flat_per_line_per_month,,0,50,USD/line/month,voip,2021-01-01,https://x.test", 5, 12, "(none)", "the row has 12 fields" },
        { "state,NY,E911_VOIP,NY 911,flat_per_line_per_month,,$0.50,USD/line/month,voip,2021-01-01,https://x.test", 5, 7, "amount_per_unit", "'$0.50' is not an amount" },
        { "state,NY,E911_VOIP,NY 911,flat_per_line_per_month,,0.50,USD/month,voip,2021-01-01,https://x.test", 5, 8, "unit", "must be 'USD/line/month'" },
        { "state,NY,STATE_VOIP_TAXABILITY,NY VoIP,taxability_flag,,,,interconnected_voip: sales_tax=maybe,2021-01-01,https://x.test", 5, 9, "applies_to", "'yes' or 'no', not 'maybe'" },
        { "state,NY,STATE_VOIP_TAXABILITY,NY VoIP,taxability_flag,,,,interconnected_voip,2021-01-01,https://x.test", 5, 9, "applies_to", "must say sales_tax=yes or sales_tax=no" },
        { "state,NY,STATE_VOIP_TAXABILITY,NY VoIP,taxability_flag,,,,sales_tax=yes,2021-01-01,https://x.test", 5, 2, "jurisdiction_code", "no STATE_SALES row for NY" },
        { "state,NY,E911_VOIP,NY 911,flat_per_line_per_month,,0.50,USD/line/month", 5, 9, "applies_to", "the row has 8 fields" },
        { "state,NY,E911_VOIP,NY 911 \"new\",flat_per_line_per_month,,0.50,USD/line/month,voip,2021-01-01,https://x.test", 5, 4, "name", "a double quote inside a field" },
        { "state,NY,E911_VOIP,\"NY 911\" fee,flat_per_line_per_month,,0.50,USD/line/month,voip,2021-01-01,https://x.test", 5, 4, "name", "text after the closing quote" },
        { "state,NY,E911_VOIP,\"NY 911,flat_per_line_per_month,,0.50,USD/line/month,voip,2021-01-01,https://x.test", 5, 4, "name", "never closed" },
    };

    [Theory]
    [MemberData(nameof(MalformedRows))]
    public void AMalformedRowIsRefusedWithItsLineAndColumn(string row, int line, int column, string columnName, string problem)
    {
        var error = Assert.Throws<TaxTableFormatException>(() => TaxRateTableParser.Parse(Table(row), "bad.csv"));

        Assert.Equal(line, error.Line);
        Assert.Equal(column, error.Column);
        Assert.Equal(columnName, error.ColumnName);
        Assert.Contains(problem, error.Problem, StringComparison.Ordinal);
        Assert.StartsWith($"Tax rate table 'bad.csv' line {line}, column {column} ({columnName}): ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LinesAreCountedThroughAQuotedFieldThatSpansLines()
    {
        var text = Table(
            "state,NY,E911_VOIP,\"NY 911\nsecond line of the name\",flat_per_line_per_month,,0.50,USD/line/month,voip,2021-01-01,https://x.test",
            "state,NJ,E911_VOIP,NJ 911,flat_per_line_per_month,,0.50,USD/line/month,voip,2021-13-01,https://x.test");

        var error = Assert.Throws<TaxTableFormatException>(() => TaxRateTableParser.Parse(text, "t.csv"));

        Assert.Equal((7, 10), (error.Line, error.Column));
    }

    [Theory]
    [InlineData("jurisdiction_level,jurisdiction_code,tax_code,name,basis,rate,amount,unit,applies_to,effective_from,source_url", 7, "amount_per_unit")]
    [InlineData("jurisdiction_level,jurisdiction_code,tax_code,name,basis,rate,amount_per_unit,unit,applies_to,effective_from", 11, "source_url")]
    [InlineData("jurisdiction_level,jurisdiction_code,tax_code,name,basis,rate,amount_per_unit,unit,applies_to,effective_from,source_url,notes", 12, "(none)")]
    public void AWrongHeaderIsRefusedAtTheColumnAtFault(string header, int column, string columnName)
    {
        var text = string.Join("\n", [header, .. ValidRows]);

        var error = Assert.Throws<TaxTableFormatException>(() => TaxRateTableParser.Parse(text, "h.csv"));

        Assert.Equal((1, column, columnName), (error.Line, error.Column, error.ColumnName));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    public void AnEmptyTableIsRefusedAtLine1(string text)
    {
        var error = Assert.Throws<TaxTableFormatException>(() => TaxRateTableParser.Parse(text, "empty.csv"));

        Assert.Equal((1, 1), (error.Line, error.Column));
    }

    [Fact]
    public void USFWithoutASafeHarbourInForceIsRefused()
    {
        // The harbour starts after the factor: the 2026-01-01 factor could not be applied.
        var text = string.Join("\n",
            Header,
            ValidRows[0],
            "federal,US,FUSF_VOIP_SAFE_HARBOR,Safe harbour,share_of_total_voip_telecom_revenue,0.649,,,voip,2026-02-01,https://example.test/harbour");

        var error = Assert.Throws<TaxTableFormatException>(() => TaxRateTableParser.Parse(text, "t.csv"));

        Assert.Equal((2, 10), (error.Line, error.Column));
        Assert.Contains("no FUSF_VOIP_SAFE_HARBOR row is in force", error.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void ReferenceRowsMayBeUndatedAndAreNeverInForce()
    {
        var text = Table("state,IL,STATE_TELECOM_EXCISE,IL excise,percent_of_gross_charges,0.07,,,telecom,,https://x.test");

        var table = TaxRateTableParser.Parse(text, "t.csv");

        Assert.Equal(4, table.Rows.Count);
        Assert.Null(table.Find(TaxTableCode.StateTelecomExcise, "IL", DateOnly.MaxValue));
    }

    [Fact]
    public void TheEmbeddedTableParsesAndKeepsItsUndatedIllinoisExciseRow()
    {
        var table = TaxRateTableLoader.LoadEmbedded();

        Assert.Equal(TaxRateTableLoader.EmbeddedResourceName, table.Source);
        var excise = Assert.Single(table.Rows, r => r.Code == TaxTableCode.StateTelecomExcise);
        Assert.Equal(("IL", null), (excise.JurisdictionCode, excise.EffectiveFrom));
        Assert.All(table.Rows, r => Assert.StartsWith("http", r.SourceUrl, StringComparison.Ordinal));
    }
}
