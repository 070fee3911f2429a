using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Invoices;
using TenantBilling.Grains.Ledger;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Tenants;

namespace TenantBilling.Grains.Tests.StoredState;

/// <summary>The states whose stored bytes are pinned: one of each persisted shape, every field set.</summary>
internal static class StoredStateSamples
{
    public static readonly DateTimeOffset At = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    public static Statement Statement(decimal minutes) => new(42.10m, new Dictionary<string, decimal> { ["minutes_outbound"] = minutes });

    public static InvoiceDraft Draft(string period) => new(
        $"acct/t1/{period}", "acct", "t1", InvoiceKind.Monthly, period, "Usage", At,
        [new InvoiceLine("l1", "Outbound minutes", "minutes_outbound", 1000, 0.02m, 20m, TaxCategory.VoipUsage)],
        [], 20m, 0m, 20m, AutoCharge: false, IncludeTaxes: false, UsageTotal: 42.10m, SourceStatement: Statement(1000));

    public static TenantState Tenant()
    {
        var state = new TenantState
        {
            Details = new TenantDetails("Bob's Bakery", "+15125550100", "ap@bobs.example", "Bob Baker", "+15125550101",
                new PostalAddress("100 Congress Ave", null, "Austin", "TX", "78701", "US")),
            Profile = new BillingProfile(false, true, 20, new Dictionary<string, decimal> { ["minutes_outbound"] = 0.02m }, [],
                "2026-01", At.AddMonths(-10), At.AddMonths(-9)),
            CreatedAt = At.AddMonths(-10),
            UpdatedAt = At.AddDays(-1),
            LatestStatementPeriod = "2026-10",
            LatestUsageTotal = 42.10m,
            TrimmedThrough = "2025-06",
            ReminderDueAt = At,
            HasStripeCustomer = true,
        };
        state.Periods.Add(new PeriodEntry { Period = "2026-07", Statement = Statement(700), ReceivedAt = At.AddMonths(-4), Stage = PeriodStage.Unscheduled });
        state.Periods.Add(new PeriodEntry { Period = "2026-08", Statement = Statement(800), ReceivedAt = At.AddMonths(-3), DueAt = At.AddMonths(-2), Stage = PeriodStage.HandedOver, HandedOverAt = At.AddMonths(-2) });
        state.Periods.Add(new PeriodEntry { Period = "2026-09", Statement = Statement(900), ReceivedAt = At.AddMonths(-2), DueAt = At.AddMonths(-1), Stage = PeriodStage.Composing, WaitingReason = "waiting", Draft = Draft("2026-09") });
        state.Periods.Add(new PeriodEntry { Period = "2026-10", Statement = Statement(1000), ReceivedAt = At.AddMonths(-1), DueAt = At, Stage = PeriodStage.Scheduled });
        return state;
    }

    public static InvoiceHistoryState History() => new() { InvoiceKeys = ["acct/t1/2026-08", "acct/t1/once-r1"] };

    public static AccountLedgerState Ledger() => new()
    {
        Fees = [new PhantomFee("acct/t1/2026-08", "t1", 5m, 3.75m, At, "in_1", "A-0001")],
        Taxes = [new TaxReportEntry("acct/t1/2026-08", "t1", "A-0001", "in_1", At,
            [new InvoiceTaxLine("US-USF", "Federal USF", TaxLevel.Federal, TaxClass.Federal, "US", 0.36m, null, 13m, null, 4.68m)], Voided: true)],
    };
}
