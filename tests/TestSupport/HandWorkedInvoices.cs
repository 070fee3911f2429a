using Stripe;
using TenantBilling.Grains.Interfaces.Models;
using Xunit;

namespace TenantBilling.TestSupport;

/// <summary>One tax amount on a Stripe invoice line and the tax rate Stripe filed it under, worked out by hand (cents).</summary>
public sealed record HandTax(
    string Code, string DisplayName, decimal Percentage, string Jurisdiction, string Level, string? State, string TaxType, long Amount, long TaxableAmount)
{
    /// <summary>One line of text per tax amount, so a failed comparison says which figure differs.</summary>
    public override string ToString() =>
        $"{Code} {Amount} on {TaxableAmount} at {Percentage.ToString("0.####", System.Globalization.CultureInfo.InvariantCulture)}% " +
        $"('{DisplayName}', {Jurisdiction}/{Level}/{State ?? "-"}, {TaxType})";
}

/// <summary>One Stripe invoice line as the tenant sees it, with its tax amounts (cents).</summary>
public sealed record HandLine(string Description, long Amount, params HandTax[] Taxes);

/// <summary>
/// One monthly invoice: when its statement arrives, when the billing clock passes its billing day (the
/// 20th, so the invoice date is the 20th at 00:00 UTC), and what Stripe must hold for it (cents).
/// <paramref name="AmountDue"/> is the total less the customer's credit balance, which Stripe applies at
/// finalization (the fake gives every new customer a $1.00 credit, used up by its first invoice).
/// </summary>
public sealed record HandInvoice(
    string Period, DateTimeOffset StatementAt, DateTimeOffset BilledAt, HandLine[] Lines, long Subtotal, long TotalTaxes, long Total, long AmountDue);

/// <summary>A tenant, where it is and what it is exempt from, billed under <see cref="HandWorkedInvoices.Profile"/>.</summary>
public sealed record HandCase(string Name, PostalAddress Address, TaxExemptions Exemptions, DateTimeOffset ProfileAt, params HandInvoice[] Invoices);

/// <summary>
/// Taxed monthly invoices worked out by hand from the embedded rate table
/// (<c>src/Grains/Data/us-telecom-tax-rates.csv</c>, docs/data/telecom-tax-rates.md), with the
/// arithmetic in the comments, and the check that an invoice in Stripe holds exactly those figures, read
/// back through Stripe.net. Nothing here is computed by product code: each figure is a literal.
/// <para>
/// The rules applied by hand: a line is quantity × unit price rounded to the cent, half away from zero.
/// Every tax is figured per invoice line from the exact basis and rounded once, half away from zero.
/// USF = charge × 0.649 (the VoIP safe harbour's interstate share) × the factor of the quarter the
/// invoice date falls in (Q4 2025 0.381, Q1 2026 0.376, Q2 2026 0.370). A per-line 911 fee = lines
/// (seats, channels; not numbers or minutes) × the state's fee, shown at 0 % with the charge as its
/// basis; California's 911 = charge × 0.351 (the intrastate share) × 0.0075. Sales tax = charge × the
/// state's rate, only in MN (0.06875), NJ (0.06625) and PA (0.06). Non-taxable items get nothing. In
/// Stripe, <c>taxable_amount</c> is the basis rounded to the cent for display.
/// </para>
/// </summary>
public static class HandWorkedInvoices
{
    public const int BillingDay = 20;

    /// <summary>The one profile every case bills under: outbound minutes, numbers, four PBX seats and a non-taxable support plan.</summary>
    public static BillingProfileInput Profile(bool autoCharge = false) => new(
        autoCharge,
        IncludeTaxes: true,
        BillingDay,
        new Dictionary<string, decimal> { ["minutes_outbound"] = 0.0125m, ["local_numbers"] = 1.50m },
        [new RecurringItem("Hosted PBX seat", 4, 15.00m, TaxCategory.VoipSeats), new RecurringItem("Support plan", 1, 30.00m, TaxCategory.NonTaxable)]);

    /// <summary><see cref="Profile"/> as the API takes it.</summary>
    public const string ProfileJson =
        """
        {
          "autoCharge": false, "includeTaxes": true, "billingDay": 20,
          "prices": { "minutes_outbound": 0.0125, "local_numbers": 1.50 },
          "recurringItems": [
            { "description": "Hosted PBX seat", "quantity": 4, "unitPrice": 15.00, "taxCategory": "voip_seats" },
            { "description": "Support plan", "quantity": 1, "unitPrice": 30.00, "taxCategory": "non_taxable" }
          ]
        }
        """;

    /// <summary>Every month's statement: $42.10 of the carrier's usage (no phantom fee), 12,345 outbound minutes, 4 numbers.</summary>
    public static Statement Statement { get; } = new(42.10m, new Dictionary<string, decimal> { ["minutes_outbound"] = 12_345m, ["local_numbers"] = 4m });

    /// <summary><see cref="Statement"/> as the API takes it.</summary>
    public const string StatementJson = """{"usageTotal": 42.10, "quantities": {"minutes_outbound": 12345, "local_numbers": 4}}""";

    // Every invoice has the same four lines:
    //   Outbound minutes  12,345 × $0.0125 = $154.3125 → $154.31
    //   Local numbers          4 × $1.50   =   $6.00
    //   Hosted PBX seat        4 × $15.00  =  $60.00
    //   Support plan           1 × $30.00  =  $30.00 (non-taxable)
    //   subtotal 154.31 + 6.00 + 60.00 + 30.00 = $250.31 → 25031
    private const long Minutes = 15431, Numbers = 600, Seats = 6000, Support = 3000, Subtotal = 25031;

    private static HandTax Usf(decimal percentage, long amount, long taxable) =>
        new("FUSF", "Federal Universal Service Fund", percentage, "US", "country", null, "communications_tax", amount, taxable);

    private static HandTax Sales(string state, decimal percentage, long amount, long taxable) =>
        new("STATE_SALES", $"{state} state sales tax", percentage, state, "state", state, "sales_tax", amount, taxable);

    private static HandTax E911(string state, decimal percentage, long amount, long taxable) =>
        new("E911_VOIP", $"{state} 911 fee", percentage, state, "state", state, "communications_tax", amount, taxable);

    private static HandLine[] Lines(string month, HandTax[] minutes, HandTax[] numbers, HandTax[] seats) =>
    [
        new($"Outbound minutes — {month} (12,345 × $0.0125)", Minutes, minutes),
        new($"Local numbers — {month} (4 × $1.50)", Numbers, numbers),
        new($"Hosted PBX seat — {month} (4 × $15.00)", Seats, seats),
        new($"Support plan — {month} (1 × $30.00)", Support),
    ];

    private static DateTimeOffset Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    /// <summary>Minneapolis, no exemptions, April 2026 billed 2026-05-20 (Q2 2026, USF 37.0%): USF, MN 911 per seat, MN sales tax.</summary>
    public static HandCase Minnesota { get; } = new(
        "MN, no exemptions",
        new PostalAddress("100 Nicollet Mall", null, "Minneapolis", "MN", "55401", "US"),
        TaxExemptions.None,
        Utc(2026, 4, 5),
        new HandInvoice(
            "2026-04", Utc(2026, 5, 2), Utc(2026, 5, 20, 8),
            Lines(
                "April 2026",
                minutes:
                [
                    Usf(37m, 3705, 10015),                // 154.31 × 0.649 = 100.14719 (shown 100.15); × 0.370 = 37.0544603 → 37.05
                    Sales("MN", 6.875m, 1061, 15431),     // 154.31 × 0.06875 = 10.6088125 → 10.61
                ],
                numbers:
                [
                    Usf(37m, 144, 389),                   // 6.00 × 0.649 = 3.894 (shown 3.89); × 0.370 = 1.44078 → 1.44
                    Sales("MN", 6.875m, 41, 600),         // 6.00 × 0.06875 = 0.4125 → 0.41; numbers are not lines: no 911 fee
                ],
                seats:
                [
                    Usf(37m, 1441, 3894),                 // 60.00 × 0.649 = 38.94; × 0.370 = 14.4078 → 14.41
                    E911("MN", 0m, 380, 6000),            // 4 seats × $0.95 = 3.80, a fixed fee: 0 %, on the $60.00 charge
                    Sales("MN", 6.875m, 413, 6000),       // 60.00 × 0.06875 = 4.125 → 4.13 (half away from zero; half to even would say 4.12)
                ]),
            Subtotal,
            TotalTaxes: 7185,   // 3705 + 1061 + 144 + 41 + 1441 + 380 + 413
            Total: 32216,       // 25031 + 7185
            AmountDue: 32116)); // 32216 − the $1.00 credit

    /// <summary>Los Angeles, exempt from federal taxes, October 2026 billed 2026-11-20: only California's 911 percentage, no USF, no sales tax.</summary>
    public static HandCase CaliforniaFederallyExempt { get; } = new(
        "CA, exempt from federal taxes",
        new PostalAddress("200 N Spring St", null, "Los Angeles", "CA", "90012", "US"),
        new TaxExemptions(Federal: true, StateLocal: false, Sales: false),
        Utc(2026, 10, 5),
        new HandInvoice(
            "2026-10", Utc(2026, 11, 2), Utc(2026, 11, 20, 8),
            Lines(
                "October 2026",
                // No USF (exempt); California's VoIP sales taxability is not established in the table: no sales tax.
                // California's 911 is a percentage of the intrastate share of every telecom line, seats included.
                minutes: [E911("CA", 0.75m, 41, 5416)],   // 154.31 × 0.351 = 54.16281 (shown 54.16); × 0.0075 = 0.406221075 → 0.41
                numbers: [E911("CA", 0.75m, 2, 211)],     // 6.00 × 0.351 = 2.106 (shown 2.11); × 0.0075 = 0.015795 → 0.02
                seats: [E911("CA", 0.75m, 16, 2106)]),    // 60.00 × 0.351 = 21.06; × 0.0075 = 0.15795 → 0.16
            Subtotal,
            TotalTaxes: 59,     // 41 + 2 + 16
            Total: 25090,       // 25031 + 59
            AmountDue: 24990)); // 25090 − the $1.00 credit

    /// <summary>
    /// Philadelphia, no exemptions, across a USF quarter: February 2026 billed 2026-03-20 (Q1, 37.6%), then
    /// March 2026 — Q1 usage — billed 2026-04-20, so rated at Q2's 37.0%: the invoice date decides, not the month of use.
    /// </summary>
    public static HandCase PennsylvaniaAcrossAQuarter { get; } = new(
        "PA, February and March across the USF quarter",
        new PostalAddress("1500 Market St", null, "Philadelphia", "PA", "19103", "US"),
        TaxExemptions.None,
        Utc(2026, 2, 5),
        new HandInvoice(
            "2026-02", Utc(2026, 3, 2), Utc(2026, 3, 20, 8),
            Lines(
                "February 2026",
                // Invoice date 2026-03-20: Q1 2026 factor 0.376. PA has no 911 row.
                minutes:
                [
                    Usf(37.6m, 3766, 10015),              // 154.31 × 0.649 = 100.14719; × 0.376 = 37.65534344 → 37.66
                    Sales("PA", 6m, 926, 15431),          // 154.31 × 0.06 = 9.2586 → 9.26
                ],
                numbers:
                [
                    Usf(37.6m, 146, 389),                 // 3.894 × 0.376 = 1.464144 → 1.46
                    Sales("PA", 6m, 36, 600),             // 6.00 × 0.06 = 0.36
                ],
                seats:
                [
                    Usf(37.6m, 1464, 3894),               // 38.94 × 0.376 = 14.64144 → 14.64
                    Sales("PA", 6m, 360, 6000),           // 60.00 × 0.06 = 3.60
                ]),
            Subtotal,
            TotalTaxes: 6698,   // 3766 + 926 + 146 + 36 + 1464 + 360
            Total: 31729,       // 25031 + 6698
            AmountDue: 31629),  // 31729 − the $1.00 credit
        new HandInvoice(
            "2026-03", Utc(2026, 4, 2), Utc(2026, 4, 20, 8),
            Lines(
                "March 2026",
                // Invoice date 2026-04-20: Q2 2026 factor 0.370, although the minutes were used in Q1.
                minutes:
                [
                    Usf(37m, 3705, 10015),                // 100.14719 × 0.370 = 37.0544603 → 37.05
                    Sales("PA", 6m, 926, 15431),          // 9.2586 → 9.26
                ],
                numbers:
                [
                    Usf(37m, 144, 389),                   // 3.894 × 0.370 = 1.44078 → 1.44
                    Sales("PA", 6m, 36, 600),             // 0.36
                ],
                seats:
                [
                    Usf(37m, 1441, 3894),                 // 38.94 × 0.370 = 14.4078 → 14.41
                    Sales("PA", 6m, 360, 6000),           // 3.60
                ]),
            Subtotal,
            TotalTaxes: 6612,   // 3705 + 926 + 144 + 36 + 1441 + 360
            Total: 31643,       // 25031 + 6612
            AmountDue: 31643)); // the credit went to February's invoice

    /// <summary>
    /// Newark, exempt from sales tax (New Jersey taxes VoIP at 6.625%), December 2025 billed 2026-01-20: rated
    /// at Q1 2026's 37.6%, not Q4 2025's 38.1%. New Jersey's 911 amount is not in the table: USF only.
    /// </summary>
    public static HandCase NewJerseySalesExempt { get; } = new(
        "NJ, exempt from sales tax, December billed in January",
        new PostalAddress("1 Gateway Center", null, "Newark", "NJ", "07102", "US"),
        new TaxExemptions(Federal: false, StateLocal: false, Sales: true),
        Utc(2025, 12, 5),
        new HandInvoice(
            "2025-12", Utc(2026, 1, 2), Utc(2026, 1, 20, 8),
            Lines(
                "December 2025",
                minutes: [Usf(37.6m, 3766, 10015)],       // 100.14719 × 0.376 = 37.65534344 → 37.66 (at Q4 2025's 0.381 it would be 38.16)
                numbers: [Usf(37.6m, 146, 389)],          // 3.894 × 0.376 = 1.464144 → 1.46
                seats: [Usf(37.6m, 1464, 3894)]),         // 38.94 × 0.376 = 14.64144 → 14.64
            Subtotal,
            TotalTaxes: 5376,   // 3766 + 146 + 1464
            Total: 30407,       // 25031 + 5376
            AmountDue: 30307)); // 30407 − the $1.00 credit

    public static IReadOnlyList<HandCase> All { get; } = [Minnesota, CaliforniaFederallyExempt, PennsylvaniaAcrossAQuarter, NewJerseySalesExempt];

    /// <summary>The case names, for a theory over <see cref="All"/>.</summary>
    public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Name });

    public static HandCase Named(string name) => All.Single(c => c.Name == name);

    /// <summary>
    /// Reads the invoice back through Stripe.net (and each tax amount's tax rate) and asserts every figure
    /// of <paramref name="expected"/>: the lines in order with their amounts and descriptions, each line's
    /// tax amounts with their taxable amounts and rate data, total_taxes per rate, subtotal, total and amount due.
    /// </summary>
    public static async Task AssertStripeHoldsAsync(StripeClient stripe, string stripeInvoiceId, HandInvoice expected)
    {
        var invoice = await stripe.V1.Invoices.GetAsync(stripeInvoiceId);
        var rates = new Dictionary<string, TaxRate>(StringComparer.Ordinal);
        async Task<TaxRate> RateAsync(string id) => rates.TryGetValue(id, out var rate) ? rate : rates[id] = await stripe.V1.TaxRates.GetAsync(id);

        Assert.Equal(("usd", "open"), (invoice.Currency, invoice.Status));
        Assert.False(invoice.Lines.HasMore);
        var lines = new List<string>();
        foreach (var line in invoice.Lines.Data)
        {
            var taxes = new List<HandTax>();
            foreach (var tax in line.Taxes ?? [])
            {
                Assert.Equal("exclusive", tax.TaxBehavior);
                var rate = await RateAsync(tax.TaxRateDetails.TaxRateId);
                Assert.False(rate.Inclusive);
                Assert.Equal("US", rate.Country);
                taxes.Add(new HandTax(
                    rate.Description, rate.DisplayName, rate.Percentage, rate.Jurisdiction, rate.JurisdictionLevel, rate.State, rate.TaxType, tax.Amount, tax.TaxableAmount ?? -1));
            }

            lines.Add(Text(line.Description, line.Amount, taxes));
        }

        // One text per line — its description, amount and each tax amount (in tax code order) — so a failure names the line and the figure.
        Assert.Equal(expected.Lines.Length, lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            Assert.Equal(Text(expected.Lines[i].Description, expected.Lines[i].Amount, expected.Lines[i].Taxes), lines[i]);
        }

        // total_taxes: one entry per tax rate, the sum of that rate's amounts on every line.
        var perRate = new List<(string Code, decimal Percentage, long Amount)>();
        foreach (var total in invoice.TotalTaxes)
        {
            var rate = await RateAsync(total.TaxRateDetails.TaxRateId);
            perRate.Add((rate.Description, rate.Percentage, total.Amount));
        }

        var expectedPerRate = expected.Lines.SelectMany(l => l.Taxes)
            .GroupBy(t => (t.Code, t.Percentage))
            .Select(g => (g.Key.Code, g.Key.Percentage, Amount: g.Sum(t => t.Amount)));
        Assert.Equal(expectedPerRate.OrderBy(t => t.Code, StringComparer.Ordinal), perRate.OrderBy(t => t.Code, StringComparer.Ordinal));

        Assert.Equal(expected.Subtotal, invoice.Subtotal);
        Assert.Equal(expected.TotalTaxes, invoice.TotalTaxes.Sum(t => t.Amount));
        Assert.Equal(expected.Total, invoice.Total);
        Assert.Equal(expected.AmountDue, invoice.AmountDue);
    }

    private static string Text(string description, long amount, IEnumerable<HandTax> taxes) =>
        $"{description}: {amount}" + string.Concat(taxes.OrderBy(t => t.Code, StringComparer.Ordinal).Select(t => $"\n  + {t}"));
}
