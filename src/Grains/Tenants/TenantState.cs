using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Tenants;

[GenerateSerializer, Alias("tenant-state")]
public sealed class TenantState : IPeriodBookState
{
    [Id(0)] public TenantDetails? Details { get; set; }
    [Id(1)] public AddressStatus Address { get; set; } = AddressStatus.NotValidated;
    [Id(2)] public BillingProfile? Profile { get; set; }
    [Id(3)] public TaxExemptions Exemptions { get; set; } = TaxExemptions.None;

    /// <inheritdoc />
    [Id(4)] public List<PeriodEntry> Periods { get; set; } = [];

    [Id(5)] public DateTimeOffset CreatedAt { get; set; }
    [Id(6)] public DateTimeOffset UpdatedAt { get; set; }

    /// <inheritdoc />
    [Id(7)] public string? LatestStatementPeriod { get; set; }

    /// <inheritdoc />
    [Id(8)] public decimal LatestUsageTotal { get; set; }

    /// <inheritdoc />
    [Id(9)] public string? TrimmedThrough { get; set; }

    /// <summary>
    /// Set by earlier versions, which kept a reminder of the tenant's own ("invoice-due") registered for its earliest
    /// due invoice: the due instant it was registered for. Billing alarms of the account replace it; a tenant that still
    /// has one unregisters it when it next ticks.
    /// </summary>
    [Id(10)] public DateTimeOffset? ReminderDueAt { get; set; }

    // Id 11 held the Stripe customer id, which the customer grain keeps now: never reuse it.

    /// <summary>The tenant's Stripe customer grain has its data (since the first invoice): later changes are passed on.</summary>
    [Id(12)] public bool HasStripeCustomer { get; set; }

    /// <inheritdoc />
    [Id(13)] public List<string> InvoicedPeriods { get; set; } = [];

    /// <summary>The request ids of the tenant's one-time invoices, in the order they were asked for.</summary>
    [Id(14)] public List<string> OneTimeRequests { get; set; } = [];

    /// <summary>
    /// Every invoice of the tenant is in <see cref="InvoicedPeriods"/> and <see cref="OneTimeRequests"/>: true for
    /// tenants created since the tenant lists its own invoices. Older tenants' earlier invoices are also listed
    /// in the invoice-history grains of their years, which are read, never written, for them.
    /// </summary>
    [Id(15)] public bool ListsItsOwnInvoices { get; set; }

    /// <inheritdoc />
    [Id(16)] public Dictionary<string, int> Revisions { get; set; } = [];

    public bool Exists => Details is not null;
}
