using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tenants;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// The tenant's side effects on the billing day, in order: compose (taxes rated, the customer given its data),
/// hand over to the invoice grain, record the hand-over in one state write. Between each pair the activation
/// is lost with its storage write failing, as a process that stops there leaves it: the alarm going off again
/// (or twice) still ends with exactly one invoice for the month, and nothing in between treats the month as
/// not invoiced.
/// </summary>
[Collection(BillingClusterTests.Name)]
public sealed class HandOverCrashTests(BillingCluster cluster)
{
    private const string October = "2026-10";

    private async Task<(Scenario Scenario, string Key)> DueAsync()
    {
        cluster.Clock.Set(Utc(2026, 10, 15));
        var scenario = await StartAsync(cluster.Grains, billingDay: 20, includeTaxes: true);
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync(October, Usage(1000));
        cluster.Clock.Set(Utc(2026, 11, 20, 3));
        return (scenario, scenario.InvoiceKey(October));
    }

    private Task<TenantState> StoredTenantAsync(Scenario scenario) => cluster.StoredAsync<TenantState>("tenant", "tenant", GrainKeys.Tenant(scenario.AccountId, scenario.TenantId));

    [Fact]
    public async Task Stopped_after_composing_before_the_hand_over_the_next_alarm_hands_it_over_once()
    {
        var (scenario, key) = await DueAsync();
        cluster.HandOvers.FailNext(key, HandOverFault.BeforeWork);   // composed, then nothing reaches the invoice
        cluster.Faults.FailNextWrite("tenant", scenario.AccountId);  // and nothing of it is stored

        await Assert.ThrowsAnyAsync<Exception>(() => scenario.Tenant.HandOverDueAsync());

        Assert.Null(cluster.HandOvers.Kept(key));
        var stored = (await StoredTenantAsync(scenario)).Periods.Single();
        Assert.Equal((PeriodStage.Scheduled, null), (stored.Stage, stored.Draft));
        Assert.NotEmpty(await cluster.AlarmRemindersAsync(scenario.AccountId));   // the retry was set before the write

        await scenario.Tenant.HandOverDueAsync();   // the alarm goes off
        await scenario.Tenant.HandOverDueAsync();   // and again

        AssertOneInvoice(key, calls: 2);
        Assert.Equal(PeriodStage.HandedOver, (await StoredTenantAsync(scenario)).Periods.Single().Stage);
        Assert.Equal(InvoiceStatus.HandedOver, Assert.Single(await scenario.Tenant.ListInvoicesAsync()).Status);
    }

    [Fact]
    public async Task Stopped_after_the_hand_over_before_its_record_the_month_counts_as_invoiced_and_the_next_alarm_records_it()
    {
        var (scenario, key) = await DueAsync();
        cluster.Faults.FailNextWrite("tenant", scenario.AccountId);   // handed over; the record is not written

        await Assert.ThrowsAnyAsync<Exception>(() => scenario.Tenant.HandOverDueAsync());

        var kept = cluster.HandOvers.Kept(key)!;
        Assert.Equal(PeriodStage.Scheduled, (await StoredTenantAsync(scenario)).Periods.Single().Stage);

        // Until the record is written, the month is what its invoice says.
        var other = await Assert.ThrowsAsync<BillingProblemException>(() => scenario.Tenant.AcceptStatementAsync(October, Usage(1001)));
        Assert.Equal(ProblemKind.Conflict, other.Kind);
        Assert.Equal(StatementOutcome.Replayed, (await scenario.Tenant.AcceptStatementAsync(October, Usage(1000))).Outcome);
        var preview = await scenario.Tenant.PreviewInvoiceAsync(October);
        Assert.True(HandOverRecorder.SameContent(kept, preview.Draft));
        Assert.Equal(NotScheduledCode.AlreadyInvoiced, preview.NotScheduled?.Code);
        Assert.Equal(InvoiceStatus.HandedOver, Assert.Single(await scenario.Tenant.ListInvoicesAsync()).Status);

        await scenario.Tenant.HandOverDueAsync();   // the alarm goes off again: the same invoice, now recorded
        await cluster.DeactivateAllAsync();
        await scenario.Tenant.HandOverDueAsync();

        AssertOneInvoice(key, calls: 2);
        Assert.True(HandOverRecorder.SameContent(kept, cluster.HandOvers.Kept(key)!));
        Assert.Equal(PeriodStage.HandedOver, (await StoredTenantAsync(scenario)).Periods.Single().Stage);
        Assert.Equal(["2026-10"], (await StoredTenantAsync(scenario)).InvoicedPeriods);
    }

    [Fact]
    public async Task A_profile_deleted_before_an_unrecorded_hand_over_is_recorded_does_not_cancel_the_invoice()
    {
        var (scenario, key) = await DueAsync();
        cluster.Faults.FailNextWrite("tenant", scenario.AccountId);
        await Assert.ThrowsAnyAsync<Exception>(() => scenario.Tenant.HandOverDueAsync());

        await scenario.Tenant.DeleteBillingProfileAsync();

        AssertOneInvoice(key, calls: 1);
        Assert.Equal(PeriodStage.HandedOver, (await StoredTenantAsync(scenario)).Periods.Single().Stage);
        Assert.Equal(InvoiceStatus.HandedOver, Assert.Single(await scenario.Tenant.ListInvoicesAsync()).Status);
        Assert.Equal(NotScheduledCode.AlreadyInvoiced, (await scenario.Tenant.AcceptStatementAsync(October, Usage(1000))).NotScheduled?.Code);
    }

    [Fact]
    public async Task Stopped_after_the_record_an_alarm_going_off_again_hands_nothing_over()
    {
        var (scenario, key) = await DueAsync();

        await scenario.Tenant.HandOverDueAsync();
        await cluster.DeactivateAllAsync();
        await scenario.Tenant.HandOverDueAsync();
        await scenario.FireReminderAsync();
        await scenario.Tenant.WakeAsync();

        AssertOneInvoice(key, calls: 1);
        Assert.Empty(await cluster.ReminderNamesAsync(scenario.Tenant));
    }

    [Fact]
    public async Task A_hand_over_costs_the_tenant_one_state_write_after_it_and_no_reminder_of_its_own()
    {
        var (scenario, key) = await DueAsync();
        var writesBefore = cluster.Faults.Writes("tenant", scenario.AccountId);

        await scenario.Tenant.HandOverDueAsync();

        Assert.Equal(1, cluster.Faults.Writes("tenant", scenario.AccountId) - writesBefore);
        Assert.Equal(0, cluster.Faults.Writes("invoice-history", scenario.AccountId));
        Assert.Empty(await cluster.ReminderNamesAsync(scenario.Tenant));
        AssertOneInvoice(key, calls: 1);

        // Nothing is written before the hand-over: failing the tenant's next write after it loses only the record.
        var (second, secondKey) = await DueAsync();
        cluster.Faults.FailNextWrite("tenant", second.AccountId);
        await Assert.ThrowsAnyAsync<Exception>(() => second.Tenant.HandOverDueAsync());
        Assert.NotNull(cluster.HandOvers.Kept(secondKey));
    }

    private void AssertOneInvoice(string key, int calls)
    {
        Assert.Equal(calls, cluster.HandOvers.Calls(key));
        Assert.NotNull(cluster.HandOvers.Kept(key));
        Assert.All(cluster.HandOvers.Drafts(key), d => Assert.Equal(key, d.InvoiceKey));
    }
}
