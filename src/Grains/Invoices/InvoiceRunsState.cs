namespace TenantBilling.Grains.Invoices;

/// <summary>One account's invoices in flight in Stripe (<see cref="InvoiceRunsGrain"/>).</summary>
[GenerateSerializer, Alias("invoice-runs-state")]
public sealed class InvoiceRunsState
{
    [Id(0)] public List<string> InFlight { get; set; } = [];
}
