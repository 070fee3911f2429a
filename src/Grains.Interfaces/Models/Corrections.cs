namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>Where a credit goes: the customer's Stripe balance (taken off its next invoices) or back to the card.</summary>
[GenerateSerializer, Alias("credit-destination")]
public enum CreditDestination
{
    Balance,
    Refund,
}

/// <summary>One invoice line to credit: all of what is left of it (<paramref name="Amount"/> null), or that many dollars of it.</summary>
[GenerateSerializer, Immutable, Alias("credit-line-request")]
public sealed record CreditLineRequest(
    [property: Id(0)] string LineRef,
    [property: Id(1)] decimal? Amount);

/// <summary>A credit asked for: its request id (exactly once), where it goes, and the lines.</summary>
[GenerateSerializer, Immutable, Alias("credit-request")]
public sealed record CreditRequest(
    [property: Id(0)] string RequestId,
    [property: Id(1)] CreditDestination Destination,
    [property: Id(2)] IReadOnlyList<CreditLineRequest> Lines,
    [property: Id(3)] string? Memo = null)
{
    /// <summary>Value equality, lines included (compared item by item).</summary>
    public bool Equals(CreditRequest? other) =>
        other is not null && RequestId == other.RequestId && Destination == other.Destination && Memo == other.Memo && Lines.SequenceEqual(other.Lines);

    public override int GetHashCode() => HashCode.Combine(RequestId, Destination, Lines.Count);
}

/// <summary>One credited line: the dollars of the line and of each of its taxes given back.</summary>
[GenerateSerializer, Immutable, Alias("credited-line")]
public sealed record CreditedLine(
    [property: Id(0)] string LineRef,
    [property: Id(1)] decimal Amount,
    [property: Id(2)] decimal TaxAmount);

/// <summary>A credit note issued in Stripe, in dollars.</summary>
[GenerateSerializer, Immutable, Alias("credit-result")]
public sealed record CreditResult(
    [property: Id(0)] string InvoiceKey,
    [property: Id(1)] string RequestId,
    [property: Id(2)] CreditDestination Destination,
    [property: Id(3)] string StripeCreditNoteId,
    [property: Id(4)] string? Number,
    [property: Id(5)] decimal Subtotal,
    [property: Id(6)] decimal TaxTotal,
    [property: Id(7)] decimal Total,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] IReadOnlyList<CreditedLine> Lines);

/// <summary>What a credit gave back of one tax on one invoice line (<paramref name="TaxIndex"/>: the invoice's tax line).</summary>
[GenerateSerializer, Immutable, Alias("credited-tax-part")]
public sealed record CreditedTaxPart(
    [property: Id(0)] int TaxIndex,
    [property: Id(1)] string LineRef,
    [property: Id(2)] decimal TaxableAmount,
    [property: Id(3)] decimal TaxAmount,
    [property: Id(4)] decimal? Units);
