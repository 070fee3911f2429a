using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// One tax amount on one Stripe invoice line (<c>tax_amounts[]</c> with its <c>tax_rate_data</c>), in cents.
/// Stripe adds <see cref="AmountCents"/> to the invoice as tax; the rest is what its invoice, PDF and
/// reports show about it (Stripe checks none of it against the amount, so we do).
/// </summary>
/// <param name="TaxableAmountCents">The line's basis for this tax, rounded to cents for display (the tax was figured on the exact basis).</param>
/// <param name="Percentage">The rate in percent (37 for 0.37), at most 4 decimals; 0 for a fixed fee, Stripe's way of showing a fixed amount.</param>
/// <param name="JurisdictionLevel">Stripe's level: <c>country</c>, <c>state</c>, <c>county</c>, <c>city</c> or <c>multiple</c>.</param>
/// <param name="State">The state for state, county and local taxes; null for federal ones.</param>
/// <param name="TaxType">Stripe's tax type: <c>sales_tax</c> or <c>communications_tax</c>.</param>
/// <param name="Description">Our tax code(s), for the account's own use (Stripe does not show it to the customer).</param>
public sealed record StripeTaxAmount(
    long AmountCents,
    long TaxableAmountCents,
    string DisplayName,
    decimal Percentage,
    string Jurisdiction,
    string JurisdictionLevel,
    string Country,
    string? State,
    string TaxType,
    string Description);

/// <summary>
/// How an invoice's tax lines become Stripe tax amounts. Each invoice tax line already says what every
/// invoice line owes of it (<see cref="InvoiceTaxLine.Parts"/>, rounded once per line), so each part
/// becomes one tax amount on its line, in the order of the invoice's tax lines: the tax amounts of all
/// lines add up to the invoice's tax total exactly, and nothing is rounded again here.
/// Stripe takes at most <see cref="MaxPerLine"/> tax amounts per line; a line with more has its tax
/// amounts merged by jurisdiction level and tax type (amounts added, never re-rounded).
/// </summary>
public static class StripeTaxAmounts
{
    /// <summary>Stripe's limit of tax amounts on one invoice line.</summary>
    public const int MaxPerLine = 20;

    /// <summary>Stripe's limit on a tax rate's display name and jurisdiction.</summary>
    public const int MaxNameLength = 50;

    /// <summary>The tax amounts of each invoice line, by line ref; lines without taxes are absent.</summary>
    /// <exception cref="InvalidOperationException">A tax part names a line the invoice does not have.</exception>
    public static IReadOnlyDictionary<string, IReadOnlyList<StripeTaxAmount>> ByLine(InvoiceDraft draft)
    {
        ArgumentNullException.ThrowIfNull(draft);
        var byLine = new Dictionary<string, List<StripeTaxAmount>>(StringComparer.Ordinal);
        var state = draft.TaxJurisdiction?.State;
        foreach (var tax in draft.Taxes)
        {
            // A tax line recorded before parts were kept has no split: it goes whole on the first line.
            var parts = tax.Parts ?? [new InvoiceTaxPart(draft.Lines[0].LineRef, tax.TaxableAmount, tax.Units, tax.TaxAmount)];
            foreach (var part in parts)
            {
                if (!draft.Lines.Any(l => l.LineRef == part.LineRef))
                {
                    throw new InvalidOperationException($"Tax {tax.TaxCode} of invoice {draft.InvoiceKey} names line '{part.LineRef}', which the invoice does not have.");
                }

                if (!byLine.TryGetValue(part.LineRef, out var amounts))
                {
                    byLine[part.LineRef] = amounts = [];
                }

                amounts.Add(For(tax, part, state));
            }
        }

        return byLine.ToDictionary(p => p.Key, p => Limit(p.Value), StringComparer.Ordinal);
    }

    /// <summary>One part of one tax line as a Stripe tax amount.</summary>
    public static StripeTaxAmount For(InvoiceTaxLine tax, InvoiceTaxPart part, string? state) => new(
        Money.ToCents(part.TaxAmount),
        Money.ToCents(Money.RoundToCents(part.TaxableAmount)),
        Shorten(tax.Name),
        tax.Rate is { } rate ? Math.Round(rate * 100m, 4, MidpointRounding.AwayFromZero) : 0m,
        Shorten(tax.JurisdictionCode),
        LevelOf(tax.Level),
        "US",
        tax.Level == TaxLevel.Federal ? null : state ?? (tax.Level == TaxLevel.State ? tax.JurisdictionCode : null),
        TypeOf(tax.Class),
        tax.TaxCode);

    /// <summary>Stripe's jurisdiction level for ours.</summary>
    public static string LevelOf(TaxLevel level) => level switch
    {
        TaxLevel.Federal => "country",
        TaxLevel.State => "state",
        TaxLevel.County => "county",
        _ => "city",
    };

    /// <summary>Stripe's tax type for our class: sales and use taxes are <c>sales_tax</c>; USF, 911 and other telecom charges <c>communications_tax</c>.</summary>
    public static string TypeOf(TaxClass taxClass) => taxClass == TaxClass.Sales ? "sales_tax" : "communications_tax";

    /// <summary>
    /// At most <see cref="MaxPerLine"/> tax amounts: beyond that, one per jurisdiction level and tax type,
    /// in order of first appearance. A merged amount is the sum of its amounts; its basis the largest of
    /// theirs; its percentage what the sum is of that basis (display only); its jurisdiction the one they
    /// share, or "Multiple".
    /// </summary>
    public static IReadOnlyList<StripeTaxAmount> Limit(IReadOnlyList<StripeTaxAmount> amounts)
    {
        if (amounts.Count <= MaxPerLine)
        {
            return amounts;
        }

        var merged = amounts
            .GroupBy(a => (a.JurisdictionLevel, a.TaxType))
            .Select(g => g.Count() == 1 ? g.First() : Merge(g.ToList()))
            .ToList();
        return merged.Count <= MaxPerLine
            ? merged
            : throw new InvalidOperationException($"{merged.Count} tax amounts remain on one line after merging by level and type; Stripe takes {MaxPerLine}.");
    }

    private static StripeTaxAmount Merge(List<StripeTaxAmount> group)
    {
        var first = group[0];
        var amount = group.Sum(a => a.AmountCents);
        var basis = group.Max(a => a.TaxableAmountCents);
        var jurisdictions = group.Select(a => a.Jurisdiction).Distinct(StringComparer.Ordinal).ToList();
        var states = group.Select(a => a.State).Distinct(StringComparer.Ordinal).ToList();
        var percentage = group.All(a => a.Percentage == 0m) || basis == 0
            ? 0m
            : Math.Min(100m, Math.Round(amount * 100m / basis, 4, MidpointRounding.AwayFromZero));
        return new StripeTaxAmount(
            amount,
            basis,
            Shorten($"{LevelName(first.JurisdictionLevel)} {(first.TaxType == "sales_tax" ? "sales taxes" : "communications taxes")}"),
            percentage,
            jurisdictions.Count == 1 ? jurisdictions[0] : "Multiple",
            jurisdictions.Count == 1 ? first.JurisdictionLevel : "multiple",
            first.Country,
            states.Count == 1 ? states[0] : null,
            first.TaxType,
            Shorten(string.Join(' ', group.Select(a => a.Description).Distinct(StringComparer.Ordinal)), 500));
    }

    private static string LevelName(string level) => level switch
    {
        "country" => "Federal",
        "state" => "State",
        "county" => "County",
        _ => "Local",
    };

    private static string Shorten(string text) => Shorten(text, MaxNameLength);

    private static string Shorten(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
