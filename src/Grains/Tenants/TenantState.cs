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

    /// <summary>The due instant the invoice reminder is registered for, or null when none is.</summary>
    [Id(10)] public DateTimeOffset? ReminderDueAt { get; set; }

    // Id 11 held the Stripe customer id, which the customer grain keeps now: never reuse it.

    /// <summary>The tenant's Stripe customer grain has its data (since the first invoice): later changes are passed on.</summary>
    [Id(12)] public bool HasStripeCustomer { get; set; }

    public bool Exists => Details is not null;
}
