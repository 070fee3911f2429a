using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Ledger;

/// <summary>
/// Fees and tax entries: those of one ledger page, or, in the month's own state, those earlier versions recorded
/// there (read, never appended to; their taxes can still be voided).
/// </summary>
[GenerateSerializer, Alias("account-ledger-state")]
public sealed class AccountLedgerState
{
    [Id(0)] public List<PhantomFee> Fees { get; set; } = [];
    [Id(1)] public List<TaxReportEntry> Taxes { get; set; } = [];
}
