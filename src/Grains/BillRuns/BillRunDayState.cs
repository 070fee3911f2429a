namespace TenantBilling.Grains.BillRuns;

[GenerateSerializer, Alias("bill-run-day-state")]
public sealed class BillRunDayState
{
    /// <summary>Accounts with a bill run that day, in id order.</summary>
    [Id(0)] public List<string> AccountIds { get; set; } = [];
}
