namespace TenantBilling.Grains.Invoices;

[GenerateSerializer, Alias("invoice-history-state")]
public sealed class InvoiceHistoryState
{
    [Id(0)] public List<string> InvoiceKeys { get; set; } = [];
}
