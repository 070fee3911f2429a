using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Tenants;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests;

/// <summary>Each invoice key is handed over once, whatever repeats, fails or restarts in between.</summary>
[Collection(BillingClusterTests.Name)]
public sealed class ExactlyOnceTests(BillingCluster cluster)
{
    [Fact]
    public async Task The_invoice_is_handed_over_on_the_billing_day_and_a_second_tick_does_nothing()
    {
        cluster.Clock.Set(Utc(2026, 10, 15));
        var scenario = await StartAsync(cluster.Grains, billingDay: 20);
        cluster.Clock.Set(Utc(2026, 11, 1, 13));

        var accepted = await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1000));
        Assert.Equal(StatementOutcome.Created, accepted.Outcome);
        Assert.Equal(Utc(2026, 11, 20), accepted.ScheduledFor);
        Assert.Equal(new ScheduledInvoice("2026-10", Utc(2026, 11, 20)), (await scenario.Tenant.GetAsync())!.NextInvoice);

        await scenario.FireReminderAsync();   // early tick: not due yet
        Assert.Equal(0, cluster.HandOvers.Calls(scenario.InvoiceKey("2026-10")));

        cluster.Clock.Set(Utc(2026, 11, 20));
        await scenario.FireReminderAsync();
        await scenario.FireReminderAsync();

        Assert.Equal(1, cluster.HandOvers.Calls(scenario.InvoiceKey("2026-10")));
        var kept = cluster.HandOvers.Kept(scenario.InvoiceKey("2026-10"))!;
        Assert.Equal(Utc(2026, 11, 20), kept.InvoiceDate);
        Assert.Equal("Usage for October 2026", kept.Description);
        Assert.Null((await scenario.Tenant.GetAsync())!.NextInvoice);
        var listed = Assert.Single(await scenario.Tenant.ListInvoicesAsync());
        Assert.Equal(InvoiceStatus.HandedOver, listed.Status);
    }

    [Fact]
    public async Task The_registered_reminder_fires_by_itself_when_the_statement_arrives_after_the_billing_day()
    {
        cluster.Clock.Set(Utc(2026, 9, 3));
        var scenario = await StartAsync(cluster.Grains, billingDay: 1);
        cluster.Clock.Set(Utc(2026, 10, 2, 9));
        var key = scenario.InvoiceKey("2026-09");
        cluster.HandOvers.FailAll(key, HandOverFault.BeforeWork);   // the hand-over done at once fails: only the reminder retries it

        var accepted = await scenario.Tenant.AcceptStatementAsync("2026-09", Usage(500));
        Assert.Equal(Utc(2026, 10, 2, 9), accepted.ScheduledFor);   // billing day 1 has passed: at once
        await Eventually.TrueAsync(() => cluster.HandOvers.Calls(key) >= 1, TimeSpan.FromSeconds(30));

        // What retries it is the account's billing alarm, stored before the first attempt; the tenant registers no reminder of its own.
        Assert.NotEmpty(await cluster.AlarmRemindersAsync(scenario.AccountId));
        Assert.Empty(await cluster.ReminderNamesAsync(scenario.Tenant));

        cluster.HandOvers.Heal(key);
        await Eventually.TrueAsync(() => cluster.HandOvers.Kept(key) is not null, TimeSpan.FromSeconds(30));
        await Eventually.TrueAsync(async () => (await scenario.Tenant.ListInvoicesAsync()).Single().Status == InvoiceStatus.HandedOver, TimeSpan.FromSeconds(10));

        // Nothing is left to send, so the alarm is unregistered: the silo's reminder table has no row for the account or the tenant.
        await Eventually.TrueAsync(async () => (await cluster.AlarmRemindersAsync(scenario.AccountId)).Count == 0, TimeSpan.FromSeconds(10));
        Assert.Empty(await cluster.ReminderNamesAsync(scenario.Tenant));
        Assert.Null((await scenario.Tenant.GetAsync())!.NextInvoice);
        Assert.All(cluster.HandOvers.Drafts(key), draft => Assert.True(HandOverRecorder.SameContent(cluster.HandOvers.Kept(key)!, draft)));
    }

    [Fact]
    public async Task A_hand_over_whose_answer_was_lost_is_repeated_with_the_same_draft_and_counts_once()
    {
        cluster.Clock.Set(Utc(2026, 10, 15));
        var scenario = await StartAsync(cluster.Grains, billingDay: 20);
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1000));
        var key = scenario.InvoiceKey("2026-10");

        cluster.Clock.Set(Utc(2026, 11, 20, 1));
        cluster.HandOvers.FailNext(key, HandOverFault.AfterWork);
        await scenario.FireReminderAsync();
        Assert.Equal(InvoiceStatus.Composing, (await scenario.Tenant.ListInvoicesAsync()).Single().Status);

        cluster.Clock.Set(Utc(2026, 11, 20, 2));   // a later retry composes again: same invoice date, same draft
        await scenario.FireReminderAsync();
        await scenario.FireReminderAsync();

        var drafts = cluster.HandOvers.Drafts(key);
        Assert.Equal(2, drafts.Count);
        Assert.True(HandOverRecorder.SameContent(drafts[0], drafts[1]));
        Assert.True(HandOverRecorder.SameContent(drafts[0], cluster.HandOvers.Kept(key)!));
        Assert.Equal(InvoiceStatus.HandedOver, (await scenario.Tenant.ListInvoicesAsync()).Single().Status);
    }

    [Fact]
    public async Task A_grain_deactivated_midway_resumes_from_its_persisted_stage()
    {
        cluster.Clock.Set(Utc(2026, 10, 15));
        var scenario = await StartAsync(cluster.Grains, billingDay: 20);
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1000));
        var key = scenario.InvoiceKey("2026-10");
        cluster.Clock.Set(Utc(2026, 11, 20));

        // The hand-over fails midway; the activation is then collected before the next tick.
        cluster.HandOvers.FailNext(key, HandOverFault.BeforeWork);
        await scenario.FireReminderAsync();
        await cluster.DeactivateAllAsync();
        await scenario.FireReminderAsync();
        Assert.Equal(2, cluster.HandOvers.Calls(key));
        Assert.NotNull(cluster.HandOvers.Kept(key));

        // Handed over and persisted: a new activation, ticking again, hands nothing over.
        await cluster.DeactivateAllAsync();
        await scenario.FireReminderAsync();
        await scenario.FireReminderAsync();
        Assert.Equal(2, cluster.HandOvers.Calls(key));
        Assert.Equal(InvoiceStatus.HandedOver, (await scenario.Tenant.ListInvoicesAsync()).Single().Status);
    }

    [Fact]
    public async Task A_duplicate_statement_is_no_new_work_and_other_content_for_an_invoiced_month_is_refused()
    {
        cluster.Clock.Set(Utc(2026, 10, 15));
        var scenario = await StartAsync(cluster.Grains, billingDay: 20);
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1000));

        var replay = await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1000));
        Assert.Equal(StatementOutcome.Replayed, replay.Outcome);

        var replaced = await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1200));
        Assert.Equal(StatementOutcome.Replaced, replaced.Outcome);
        Assert.Equal(Utc(2026, 11, 20), replaced.ScheduledFor);

        cluster.Clock.Set(Utc(2026, 11, 20));
        await scenario.FireReminderAsync();
        var key = scenario.InvoiceKey("2026-10");
        Assert.Equal(1200 * 0.02m, cluster.HandOvers.Kept(key)!.Lines.Single(l => l.ProductCode == "minutes_outbound").Amount);

        Assert.Equal(StatementOutcome.Replayed, (await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1200))).Outcome);
        await scenario.FireReminderAsync();
        Assert.Equal(1, cluster.HandOvers.Calls(key));

        var conflict = await Assert.ThrowsAsync<BillingProblemException>(() => scenario.Tenant.AcceptStatementAsync("2026-10", Usage(1300)));
        Assert.Equal(ProblemKind.Conflict, conflict.Kind);
        Assert.Equal(1, cluster.HandOvers.Calls(key));
    }

    [Fact]
    public async Task The_preview_is_exactly_what_is_handed_over()
    {
        cluster.Clock.Set(Utc(2026, 10, 15));
        var scenario = await StartAsync(cluster.Grains, billingDay: 20, includeTaxes: true);
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(12_345.5m));

        var preview = (await scenario.Tenant.PreviewInvoiceAsync("2026-10")).Draft;
        Assert.Equal(0, cluster.HandOvers.Calls(scenario.InvoiceKey("2026-10")));
        Assert.NotEmpty(preview.Taxes);

        cluster.Clock.Set(Utc(2026, 11, 20, 5));
        await scenario.FireReminderAsync();

        var handedOver = cluster.HandOvers.Kept(scenario.InvoiceKey("2026-10"))!;
        Assert.True(HandOverRecorder.SameContent(preview, handedOver));
        Assert.True(HandOverRecorder.SameContent(handedOver, (await scenario.Tenant.PreviewInvoiceAsync("2026-10")).Draft));
    }

    [Fact]
    public async Task Old_months_dropped_from_tenant_state_still_answer_replays_from_their_invoice()
    {
        cluster.Clock.Set(Utc(2025, 1, 10));
        var scenario = await StartAsync(cluster.Grains, billingDay: 1);
        var months = PeriodBook.RecentEntriesKept + 2;
        for (var i = 0; i < months; i++)
        {
            var start = Utc(2025, 1, 1).AddMonths(i);
            cluster.Clock.Set(start.AddMonths(1).AddDays(1));
            var period = $"{start.Year:D4}-{start.Month:D2}";
            await scenario.Tenant.AcceptStatementAsync(period, Usage(100 * i));
            await scenario.FireReminderAsync();
            Assert.Equal(1, cluster.HandOvers.Calls(scenario.InvoiceKey(period)));
        }

        // January 2025's entry has been trimmed from the tenant; its invoice still decides.
        Assert.Equal(StatementOutcome.Replayed, (await scenario.Tenant.AcceptStatementAsync("2025-01", Usage(0))).Outcome);
        var conflict = await Assert.ThrowsAsync<BillingProblemException>(() => scenario.Tenant.AcceptStatementAsync("2025-01", Usage(101)));
        Assert.Equal(ProblemKind.Conflict, conflict.Kind);
        await scenario.FireReminderAsync();
        Assert.Equal(1, cluster.HandOvers.Calls(scenario.InvoiceKey("2025-01")));
        Assert.Equal(months, (await scenario.Tenant.ListInvoicesAsync()).Count);
    }
}
