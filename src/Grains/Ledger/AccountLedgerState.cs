using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Ledger;

[GenerateSerializer, Alias("account-ledger-state")]
public sealed class AccountLedgerState
{
    [Id(0)] public List<PhantomFee> Fees { get; set; } = [];
    [Id(1)] public List<TaxReportEntry> Taxes { get; set; } = [];
}
