namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>The records on one page of an account's ledger month, in the order they were recorded.</summary>
[GenerateSerializer, Immutable, Alias("ledger-page")]
public sealed record LedgerPage(
    [property: Id(0)] IReadOnlyList<PhantomFee> Fees,
    [property: Id(1)] IReadOnlyList<TaxReportEntry> Taxes)
{
    public int Count => Fees.Count + Taxes.Count;
}
