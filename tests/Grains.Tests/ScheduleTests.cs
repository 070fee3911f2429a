using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests;

/// <summary>The tenant's schedule as the profile and statements change.</summary>
[Collection(BillingClusterTests.Name)]
public sealed class ScheduleTests(BillingCluster cluster)
{
    [Fact]
    public async Task A_statement_without_a_profile_is_kept_and_nothing_is_scheduled()
    {
        cluster.Clock.Set(Utc(2026, 11, 2));
        var scenario = await StartAsync(cluster.Grains, billingDay: null);

        var accepted = await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(100));

        Assert.Equal((StatementOutcome.Created, (DateTimeOffset?)null), (accepted.Outcome, accepted.ScheduledFor));
        Assert.Null((await scenario.Tenant.GetAsync())!.NextInvoice);
        Assert.Equal(StatementOutcome.Replayed, (await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(100))).Outcome);

        // A profile created now bills from November: October stays unbilled.
        await scenario.SetProfileAsync(20);
        Assert.Null((await scenario.Tenant.GetAsync())!.NextInvoice);
        await scenario.FireReminderAsync();
        Assert.Equal(0, cluster.HandOvers.Calls(scenario.InvoiceKey("2026-10")));
    }

    [Fact]
    public async Task Changing_the_billing_day_moves_a_pending_invoice_and_a_passed_day_sends_it_at_once()
    {
        cluster.Clock.Set(Utc(2026, 10, 3));
        var scenario = await StartAsync(cluster.Grains, billingDay: 20);
        cluster.Clock.Set(Utc(2026, 11, 1, 12));
        await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(100));

        await scenario.SetProfileAsync(28);
        Assert.Equal(new ScheduledInvoice("2026-10", Utc(2026, 11, 28)), (await scenario.Tenant.GetAsync())!.NextInvoice);

        // Day 5 has passed on November 10: due at once, so it is handed over within moments, dated now.
        cluster.Clock.Set(Utc(2026, 11, 10, 6));
        await scenario.SetProfileAsync(5);

        await Eventually.TrueAsync(() => cluster.HandOvers.Calls(scenario.InvoiceKey("2026-10")) == 1, TimeSpan.FromSeconds(30));
        Assert.Equal(Utc(2026, 11, 10, 6), cluster.HandOvers.Kept(scenario.InvoiceKey("2026-10"))!.InvoiceDate);
    }

    [Fact]
    public async Task Deleting_the_profile_cancels_the_pending_invoice_and_a_new_profile_bills_from_its_own_month()
    {
        cluster.Clock.Set(Utc(2026, 10, 15));
        var scenario = await StartAsync(cluster.Grains, billingDay: 20);
        cluster.Clock.Set(Utc(2026, 11, 1));
        await scenario.Tenant.AcceptStatementAsync("2026-10", Usage(100));

        cluster.Clock.Set(Utc(2026, 11, 3));
        await scenario.Tenant.DeleteBillingProfileAsync();
        Assert.Null((await scenario.Tenant.GetAsync())!.NextInvoice);
        Assert.Empty(await scenario.Tenant.ListInvoicesAsync());

        cluster.Clock.Set(Utc(2026, 11, 10));
        var profile = await scenario.SetProfileAsync(20);
        Assert.Equal("2026-11", profile.FirstPeriod);
        cluster.Clock.Set(Utc(2026, 11, 21));
        await scenario.FireReminderAsync();
        Assert.Equal(0, cluster.HandOvers.Calls(scenario.InvoiceKey("2026-10")));

        cluster.Clock.Set(Utc(2026, 12, 1, 20));
        Assert.Equal(Utc(2026, 12, 20), (await scenario.Tenant.AcceptStatementAsync("2026-11", Usage(100))).ScheduledFor);
    }

    [Fact]
    public async Task A_billing_profile_needs_a_validated_address_and_an_address_change_unvalidates_it()
    {
        cluster.Clock.Set(Utc(2026, 11, 2));
        var scenario = await StartAsync(cluster.Grains, billingDay: null);
        var details = (await scenario.Tenant.GetAsync())!.Details;

        await scenario.Tenant.SaveDetailsAsync(details with { Address = details.Address with { Line1 = "200 Congress Ave" } });
        var view = (await scenario.Tenant.GetAsync())!;
        Assert.False(view.AddressStatus.Validated);

        var refused = await Assert.ThrowsAsync<BillingProblemException>(() => scenario.SetProfileAsync(20));
        Assert.Equal(ProblemKind.Conflict, refused.Kind);
        Assert.Null((await scenario.Tenant.GetAsync())!.BillingProfile);

        await scenario.Tenant.ValidateAddressAsync();
        Assert.Equal(20, (await scenario.SetProfileAsync(20)).BillingDay);
    }

    [Fact]
    public async Task An_address_that_does_not_match_its_zip_is_refused_and_stays_unvalidated()
    {
        cluster.Clock.Set(Utc(2026, 11, 2));
        var scenario = await StartAsync(cluster.Grains, billingDay: null);
        var details = (await scenario.Tenant.GetAsync())!.Details;
        await scenario.Tenant.SaveDetailsAsync(details with { Address = details.Address with { State = "CA" } });

        var refused = await Assert.ThrowsAsync<BillingProblemException>(() => scenario.Tenant.ValidateAddressAsync());

        Assert.Equal(ProblemKind.Unprocessable, refused.Kind);
        Assert.Contains("TX", Assert.Single(refused.Errors!["address.state"]), StringComparison.Ordinal);
        Assert.False((await scenario.Tenant.GetAsync())!.AddressStatus.Validated);
    }
}
