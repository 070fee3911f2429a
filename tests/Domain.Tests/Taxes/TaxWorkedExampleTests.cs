using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Interfaces.Models;
using static TenantBilling.Domain.Tests.Taxes.TaxFixtures;

namespace TenantBilling.Domain.Tests.Taxes;

/// <summary>
/// Worked examples against the embedded table. Every expected figure is worked by hand from the CSV
/// rows named in the comments: USF = charge × 0.649 (safe harbour) × the quarter's factor; 911 per
/// line = lines × the state's fee; CA 911 = charge × 0.351 (intrastate share) × 0.0075; sales =
/// charge × the state rate; each rounded once to cents, half away from zero.
/// </summary>
public sealed class TaxWorkedExampleTests
{
    [Fact]
    public void TexasMinutesAndNumbersPayFederalUSFOnly()
    {
        // TX has a STATE_SALES row but no STATE_VOIP_TAXABILITY row and no E911_VOIP row: USF only.
        // Q1 2026 factor 0.376 (DA 25-1026).
        var request = Request(Texas, "2026-03-15",
            Product("minutes", "minutes_outbound", 10_000m, 100.00m),
            Product("numbers", "local_numbers", 10m, 10.00m));

        var taxes = TaxCalculator.Calculate(Embedded, request);

        Assert.Equal(
            [
                ("minutes", "FUSF", "US", 24.40m), // 100.00 × 0.649 = 64.90; 64.90 × 0.376 = 24.4024 → 24.40
                ("numbers", "FUSF", "US", 2.44m),  //  10.00 × 0.649 =  6.49;  6.49 × 0.376 =  2.44024 → 2.44
            ],
            Summary(taxes));
        Assert.Equal(64.900m, taxes[0].TaxableAmount);
        Assert.Equal(0.376m, taxes[0].Rate);
        Assert.Null(taxes[0].AmountPerUnit);
        Assert.Equal(TaxLevel.Federal, taxes[0].Level);
        Assert.Equal(TaxClass.Federal, taxes[0].Class);
        Assert.Equal(26.84m, Total(taxes));
    }

    [Fact]
    public void MinnesotaChannelsPayUSF911PerLineAndSalesTax()
    {
        // Q2 2026 factor 0.370 (DA 26-218); MN 911 0.95 USD/line/month; MN VoIP taxable, rate 0.06875.
        var request = Request(Minnesota, "2026-05-10",
            Product("channels", "sip_channels", 5m, 100.00m),
            Product("minutes", "minutes_outbound", 5_000m, 50.00m));

        var taxes = TaxCalculator.Calculate(Embedded, request);

        Assert.Equal(
            [
                ("channels", "FUSF", "US", 24.01m),        // 100.00 × 0.649 = 64.90; × 0.370 = 24.013 → 24.01
                ("channels", "E911_VOIP", "MN", 4.75m),    // 5 lines × 0.95 = 4.75
                ("channels", "STATE_SALES", "MN", 6.88m),  // 100.00 × 0.06875 = 6.875 → 6.88
                ("minutes", "FUSF", "US", 12.01m),         // 50.00 × 0.649 = 32.45; × 0.370 = 12.0065 → 12.01
                ("minutes", "STATE_SALES", "MN", 3.44m),   // 50.00 × 0.06875 = 3.4375 → 3.44
            ],
            Summary(taxes));

        var perLine = taxes[1];
        Assert.Equal(5m, perLine.Units);
        Assert.Equal(0.95m, perLine.AmountPerUnit);
        Assert.Null(perLine.Rate);
        Assert.Equal(TaxClass.StateLocal, perLine.Class);
        Assert.Equal(TaxClass.Sales, taxes[2].Class);
        Assert.Equal(51.09m, Total(taxes)); // 24.01 + 4.75 + 6.88 + 12.01 + 3.44
    }

    [Fact]
    public void PhoneNumbersAreNotLinesForThePerLine911Fee()
    {
        var request = Request(Minnesota, "2026-05-10", Product("numbers", "local_numbers", 10m, 10.00m));

        var taxes = TaxCalculator.Calculate(Embedded, request);

        Assert.Equal(
            [
                ("numbers", "FUSF", "US", 2.40m),        // 10.00 × 0.649 = 6.49; × 0.370 = 2.4013 → 2.40
                ("numbers", "STATE_SALES", "MN", 0.69m), // 10.00 × 0.06875 = 0.6875 → 0.69
            ],
            Summary(taxes));
    }

    [Fact]
    public void California911IsAPercentageOfTheIntrastateShare()
    {
        // CA 911 row: percent_of_intrastate_charges 0.0075; intrastate share = 1 − 0.649 = 0.351.
        // CA has no VoIP taxability row, so no sales tax. Q1 2026 factor 0.376.
        var request = Request(California, "2026-02-01",
            Product("minutes", "minutes_outbound", 20_000m, 200.00m),
            TaxRequestLine.For("seats", TaxCategory.VoipSeats, 3m, 75.00m));

        var taxes = TaxCalculator.Calculate(Embedded, request);

        Assert.Equal(
            [
                ("minutes", "FUSF", "US", 48.80m),     // 200.00 × 0.649 = 129.80; × 0.376 = 48.8048 → 48.80
                ("minutes", "E911_VOIP", "CA", 0.53m), // 200.00 × 0.351 = 70.20; × 0.0075 = 0.5265 → 0.53
                ("seats", "FUSF", "US", 18.30m),       // 75.00 × 0.649 = 48.675; × 0.376 = 18.3018 → 18.30
                ("seats", "E911_VOIP", "CA", 0.20m),   // 75.00 × 0.351 = 26.325; × 0.0075 = 0.1974375 → 0.20
            ],
            Summary(taxes));
        Assert.Equal(70.200m, taxes[1].TaxableAmount);
        Assert.Equal(0.0075m, taxes[1].Rate);
        Assert.Null(taxes[3].Units); // a percentage, even on seats that count as lines
        Assert.Equal(67.83m, Total(taxes));
    }

    [Theory]
    [InlineData("2025-12-31", "247.27")] // Q4 2025 0.381: 1000.00 × 0.649 = 649.00; × 0.381 = 247.269 → 247.27
    [InlineData("2026-01-01", "244.02")] // Q1 2026 0.376: 649.00 × 0.376 = 244.024 → 244.02
    [InlineData("2026-03-31", "244.02")] // still Q1 2026
    [InlineData("2026-04-01", "240.13")] // Q2 2026 0.370: 649.00 × 0.370 = 240.13
    [InlineData("2026-09-30", "240.13")] // Q3 2026 is not in the table: the latest row stays in force
    public void TheUSFFactorInForceIsTheLatestOnOrBeforeTheInvoiceDate(string date, string expected)
    {
        var request = Request(Texas, date, Product("minutes", "minutes_outbound", 100_000m, 1000.00m));

        var taxes = TaxCalculator.Calculate(Embedded, request);

        Assert.Equal([("minutes", "FUSF", "US", decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture))], Summary(taxes));
    }

    [Fact]
    public void BeforeTheFirstUSFRowNoUSFIsCharged()
    {
        // The first FUSF row is 2025-01-01; the table says nothing about earlier quarters.
        var request = Request(Texas, "2024-12-31", Product("minutes", "minutes_outbound", 100_000m, 1000.00m));

        Assert.Empty(TaxCalculator.Calculate(Embedded, request));
    }

    [Fact]
    public void IllinoisReferenceRowsTRSAndExciseAreNeverCharged()
    {
        // IL has E911 0.87, a STATE_TELECOM_EXCISE row (VoIP uncertain) and no VoIP taxability row;
        // TRS rows are provider contributions. Only USF and 911 appear.
        var request = Request(Illinois, "2026-01-15", Product("channels", "sip_channels", 2m, 20.00m));

        var taxes = TaxCalculator.Calculate(Embedded, request);

        Assert.Equal(
            [
                ("channels", "FUSF", "US", 4.88m),      // 20.00 × 0.649 = 12.98; × 0.376 = 4.88048 → 4.88
                ("channels", "E911_VOIP", "IL", 1.74m), // 2 × 0.87 = 1.74
            ],
            Summary(taxes));
    }

    public static TheoryData<bool, bool, bool, string[], string> Exemptions => new()
    {
        // Base (MN, 2026-05-10): channels FUSF 24.01, E911 4.75, sales 6.88; minutes FUSF 12.01, sales 3.44.
        { true, false, false, ["E911_VOIP", "STATE_SALES", "STATE_SALES"], "15.07" }, // 4.75 + 6.88 + 3.44
        { false, true, false, ["FUSF", "STATE_SALES", "FUSF", "STATE_SALES"], "46.34" }, // 24.01 + 6.88 + 12.01 + 3.44
        { false, false, true, ["FUSF", "E911_VOIP", "FUSF"], "40.77" }, // 24.01 + 4.75 + 12.01
        { true, true, true, [], "0" },
    };

    [Theory]
    [MemberData(nameof(Exemptions))]
    public void AnExemptClassProducesNoTaxLines(bool federal, bool stateLocal, bool sales, string[] codes, string total)
    {
        var request = Request(Minnesota, "2026-05-10", new TaxExemptions(federal, stateLocal, sales),
            Product("channels", "sip_channels", 5m, 100.00m),
            Product("minutes", "minutes_outbound", 5_000m, 50.00m));

        var taxes = TaxCalculator.Calculate(Embedded, request);

        Assert.Equal(codes, taxes.Select(t => t.TaxCode));
        Assert.Equal(decimal.Parse(total, System.Globalization.CultureInfo.InvariantCulture), Total(taxes));
    }

    [Fact]
    public void NonTaxableItemsResaleAndZeroChargesGetNoTaxButFreeLinesStillPay911()
    {
        var request = Request(Minnesota, "2026-05-10",
            TaxRequestLine.For("setup", TaxCategory.NonTaxable, 1m, 500.00m),
            TaxRequestLine.For("resold", TaxCategory.VoipChannels, 2m, 20.00m, saleType: TaxSaleType.Resale),
            TaxRequestLine.For("free-minutes", TaxCategory.VoipUsage, 300m, 0m),
            TaxRequestLine.For("free-channels", TaxCategory.VoipChannels, 2m, 0m));

        var taxes = TaxCalculator.Calculate(Embedded, request);

        // 911 is per line whatever the charge: 2 × 0.95 = 1.90. Percentages of 0.00 are not lines.
        Assert.Equal([("free-channels", "E911_VOIP", "MN", 1.90m)], Summary(taxes));
    }

    [Theory]
    [InlineData("2.40", "0.17")]   // 2.40 × 0.06875 = 0.165: half a cent rounds away from zero (to even would be 0.16)
    [InlineData("-2.40", "-0.17")] // a credit rounds symmetrically
    [InlineData("2.32", "0.16")]   // 2.32 × 0.06875 = 0.1595 → 0.16
    public void ATaxOfExactlyHalfACentRoundsAwayFromZero(string amount, string expectedSalesTax)
    {
        var charge = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture);
        var request = Request(Minnesota, "2026-05-10", new TaxExemptions(Federal: true, StateLocal: true, Sales: false),
            Product("minutes", "minutes_outbound", 240m, charge));

        var taxes = TaxCalculator.Calculate(Embedded, request);

        Assert.Equal([("minutes", "STATE_SALES", "MN", decimal.Parse(expectedSalesTax, System.Globalization.CultureInfo.InvariantCulture))], Summary(taxes));
    }

    [Fact]
    public void OnlyCategoriesThatCountAsLinesPayPerLineFeesWhateverLinesTheCallerSends()
    {
        // A caller that sends Lines on phone numbers still gets no per-line fee for them.
        var request = Request(Minnesota, "2026-05-10", new TaxExemptions(Federal: true, StateLocal: false, Sales: true),
            new TaxRequestLine("numbers", TaxCategory.PhoneNumbers, 10.00m, 10m, 0m, TaxSaleType.Retail, TaxCustomerType.Business),
            new TaxRequestLine("seats", TaxCategory.VoipSeats, 30.00m, 3m, 0m, TaxSaleType.Retail, TaxCustomerType.Residential));

        var taxes = TaxCalculator.Calculate(Embedded, request);

        Assert.Equal([("seats", "E911_VOIP", "MN", 2.85m)], Summary(taxes)); // 3 × 0.95
    }

    [Theory]
    [InlineData(TaxCategory.VoipChannels, 4, 0)]
    [InlineData(TaxCategory.VoipSeats, 4, 0)]
    [InlineData(TaxCategory.VoipUsage, 0, 4)]
    [InlineData(TaxCategory.PhoneNumbers, 0, 0)]
    [InlineData(TaxCategory.VoipService, 0, 0)]
    [InlineData(TaxCategory.NonTaxable, 0, 0)]
    public void AnInvoiceLineQuantityCountsAsLinesOrMinutesByCategory(TaxCategory category, int lines, int minutes)
    {
        var line = TaxRequestLine.For("l", category, 4m, 8.00m);

        Assert.Equal((lines, minutes, 8.00m), ((int)line.Lines, (int)line.Minutes, line.Amount));
    }

    [Fact]
    public void AStateCodeIsMatchedWhateverItsCase()
    {
        var request = Request(Minnesota with { State = "mn" }, "2026-05-10", Product("channels", "sip_channels", 1m, 0m));

        Assert.Equal([("channels", "E911_VOIP", "MN", 0.95m)], Summary(TaxCalculator.Calculate(Embedded, request)));
    }
}
