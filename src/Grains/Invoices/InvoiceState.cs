using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Invoices;

[GenerateSerializer, Alias("invoice-state")]
public sealed class InvoiceState
{
    [Id(0)] public InvoiceDraft? Draft { get; set; }
    [Id(1)] public InvoiceStatus Status { get; set; }
    [Id(2)] public DateTimeOffset HandedOverAt { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(4)] public string? StripeInvoiceId { get; set; }
    [Id(5)] public string? Number { get; set; }
    [Id(6)] public long? AmountDueCents { get; set; }
    [Id(7)] public long? AmountPaidCents { get; set; }
    [Id(8)] public string? HostedInvoiceUrl { get; set; }
    [Id(9)] public string? FailureReason { get; set; }
}

[GenerateSerializer, Alias("invoice-history-state")]
public sealed class InvoiceHistoryState
{
    [Id(0)] public List<string> InvoiceKeys { get; set; } = [];
}
