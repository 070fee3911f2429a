using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Contracts;

/// <summary>A credit on a paid invoice: whole lines (<c>{lineRef}</c>) or amounts of them (<c>{lineRef, amount}</c>), to the balance or refunded.</summary>
public sealed record CreditRequestBody(string? RequestId, string? Destination, List<CreditLineBody?>? Lines, string? Memo);

public sealed record CreditLineBody(string? LineRef, decimal? Amount);

public sealed record CreditedLineResponse(string LineRef, decimal Amount, decimal TaxAmount);

public sealed record CreditResponse(
    string InvoiceKey,
    string RequestId,
    string Destination,
    string StripeCreditNoteId,
    string? Number,
    decimal Subtotal,
    decimal TaxTotal,
    decimal Total,
    DateTimeOffset CreatedAt,
    IReadOnlyList<CreditedLineResponse> Lines)
{
    public static CreditResponse From(CreditResult c) => new(
        c.InvoiceKey, c.RequestId, Codes.Of(c.Destination), c.StripeCreditNoteId, c.Number, c.Subtotal, c.TaxTotal, c.Total, c.CreatedAt,
        [.. c.Lines.Select(l => new CreditedLineResponse(l.LineRef, l.Amount, l.TaxAmount))]);
}
