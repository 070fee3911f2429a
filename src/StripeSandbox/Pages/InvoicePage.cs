using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Pages;

/// <summary>One tax on one line, or the sum of one tax over the invoice (amounts in cents).</summary>
/// <param name="Percentage">The rate in percent; 0 for a fixed fee, which shows only its amount.</param>
/// <param name="TaxableAmount">What the rate was applied to (Stripe's <c>taxable_amount</c>).</param>
internal sealed record PageTax(string Name, string? Jurisdiction, decimal Percentage, bool Inclusive, long TaxableAmount, long Amount);

internal sealed record PageLine(string? Description, long Amount, IReadOnlyList<PageTax> Taxes);

/// <summary>Who the invoice is to, as frozen when it was finalized.</summary>
internal sealed record PageParty(string? Name, string? Email, string? Phone, IReadOnlyList<string> AddressLines);

/// <summary>
/// An invoice as its page shows it, copied out of the account's state under its lock so the page is
/// rendered without holding it. Amounts are Stripe's, in cents, computed by <see cref="InvoiceRecord"/>.
/// </summary>
internal sealed record InvoicePage(
    string AccountId,
    string InvoiceId,
    string? Number,
    string Status,
    string Currency,
    string CollectionMethod,
    string? Description,
    DateTimeOffset InvoiceDate,
    DateTimeOffset? DueDate,
    DateTimeOffset? PaidAt,
    PageParty? BillTo,
    IReadOnlyList<PageLine> Lines,
    IReadOnlyList<PageTax> TaxTotals,
    long Subtotal,
    long Discount,
    long Total,
    long AppliedBalance,
    long AmountDue,
    long AmountPaid,
    long AmountRemaining)
{
    public static InvoicePage From(AccountState account, InvoiceRecord invoice)
    {
        PageTax Tax(LineTax tax)
        {
            var rate = account.TaxRates[tax.TaxRateId];
            return new PageTax(rate.DisplayName, rate.Jurisdiction, rate.Percentage, tax.Inclusive, tax.TaxableAmount, tax.Amount);
        }

        var lines = invoice.Lines.Select(l => new PageLine(l.Description, l.Amount, l.Taxes.Select(Tax).ToList())).ToList();
        var totals = lines.SelectMany(l => l.Taxes)
            .GroupBy(t => (t.Name, t.Jurisdiction, t.Percentage, t.Inclusive))
            .Select(g => g.First() with { TaxableAmount = g.Sum(t => t.TaxableAmount), Amount = g.Sum(t => t.Amount) })
            .ToList();
        var customer = invoice.CustomerAtFinalization ?? account.Customers.GetValueOrDefault(invoice.CustomerId);
        return new InvoicePage(
            account.Id,
            invoice.Id,
            invoice.Number,
            invoice.Status,
            invoice.Currency,
            invoice.CollectionMethod,
            invoice.Description,
            invoice.FinalizedAt ?? invoice.Created,
            invoice.DueDate,
            invoice.PaidAt,
            customer is null ? null : new PageParty(customer.Name, customer.Email, customer.Phone, AddressLines(customer.Address)),
            lines,
            totals,
            invoice.Subtotal,
            invoice.TotalDiscount,
            invoice.Total,
            invoice.AppliedBalance,
            invoice.AmountDue,
            invoice.AmountPaid + invoice.AmountPaidOutOfBand,
            invoice.AmountRemaining);
    }

    private static List<string> AddressLines(AddressData? address)
    {
        if (address is null)
        {
            return [];
        }

        var cityLine = string.Join(' ', new[] { address.City is { Length: > 0 } city ? city + "," : null, address.State, address.PostalCode }.Where(p => !string.IsNullOrEmpty(p)));
        return new[] { address.Line1, address.Line2, cityLine, address.Country }.Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l!).ToList();
    }
}
