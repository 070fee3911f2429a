using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;
using static TenantBilling.Grains.Tests.Support.StripeSteps;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// Corrections and connection checks while a billing run has booked the account's Stripe pace far ahead: they get
/// kept slots within seconds, or a 503 with Retry-After that changed nothing; a thin event's read is not waited for
/// inside its call but comes back at its slot. The pacer is booked directly, as a large run books it.
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class InteractivePacingTests(OneSiloStripeCluster cluster)
{
    /// <summary>The rate <see cref="StripeBillingCluster.StartAsync"/> gives the account.</summary>
    private const int RequestsPerSecond = 100;

    /// <summary>A bound for the test's own waits, far above the rule's 3 s and far below the run booked ahead.</summary>
    private static readonly TimeSpan Generous = TimeSpan.FromSeconds(60);

    private IStripePacerGrain Pacer(Scenario scenario) => cluster.Grains.GetGrain<IStripePacerGrain>(scenario.AccountId);

    private IInvoiceCorrectionGrain Corrections(Scenario scenario) => cluster.Grains.GetGrain<IInvoiceCorrectionGrain>(scenario.InvoiceKey(October));

    /// <summary>Ten minutes of the account's pace booked by runs, as invoices book their runs.</summary>
    private async Task BookRunsAheadAsync(Scenario scenario) =>
        await Pacer(scenario).BookAsync(RequestsPerSecond, Enumerable.Repeat(string.Empty, 600 * RequestsPerSecond).ToArray(), TimeSpan.Zero);

    /// <summary>Every slot of the account's pace, kept ones included, for the next minute (many interactive requests at once).</summary>
    private async Task<DateTimeOffset[]> BookEverySlotAsync(Scenario scenario)
    {
        var booked = await Pacer(scenario).BookInteractiveAsync(RequestsPerSecond, Enumerable.Repeat(string.Empty, 60 * RequestsPerSecond).ToArray(), TimeSpan.Zero, TimeSpan.FromMinutes(5));
        Assert.True(booked.Booked);
        return booked.Slots;
    }

    /// <summary>Gives the slots back (a one-way call) and waits until the pacer has them again.</summary>
    private async Task GiveBackAsync(Scenario scenario, DateTimeOffset[] slots)
    {
        await Pacer(scenario).ReleaseAsync(slots);
        await Eventually.TrueAsync(
            async () =>
            {
                var probe = await Pacer(scenario).BookInteractiveAsync(RequestsPerSecond, [string.Empty], TimeSpan.Zero, StripeInteractiveRule.Within);
                if (probe.Booked)
                {
                    await Pacer(scenario).ReleaseAsync(probe.Slots);
                }

                return probe.Booked;
            },
            Generous);
    }

    private async Task<(Scenario Scenario, string StripeAccount, InvoiceSummary Invoice)> SentAsync(bool autoCharge = false)
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge);
        if (autoCharge)
        {
            await SavedCardAsync(cluster, scenario, account, FakeCard.Visa);
        }

        await StripeBillingCluster.BillAsync(scenario, October);
        return (scenario, account, await cluster.SettledAsync(scenario.InvoiceKey(October)));
    }

    /// <summary>Repeats the request after a Stripe fault (a 503 without Retry-After: the fake's first request of a route fails); a slot refusal is not repeated.</summary>
    private static async Task<T> ThroughFaultsAsync<T>(Func<Task<T>> request)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await request();
            }
            catch (BillingProblemException unavailable) when (unavailable is { Kind: ProblemKind.Unavailable, RetryAfter: null } && attempt < 8)
            {
            }
        }
    }

    private static async Task<BillingProblemException> RefusedAsync(Func<Task> request)
    {
        var refused = await Assert.ThrowsAsync<BillingProblemException>(() => request().WaitAsync(Generous));
        Assert.Equal(ProblemKind.Unavailable, refused.Kind);
        return refused;
    }

    private IEnumerable<RequestLogEntry> Requests(string stripeAccount, string fragment) =>
        cluster.Stripe.RequestLog.Where(r => r.AccountId == stripeAccount && r.Path.Contains(fragment, StringComparison.Ordinal));

    [Fact]
    public async Task A_void_while_runs_have_booked_ten_minutes_ahead_is_done_within_seconds()
    {
        var (scenario, account, invoice) = await SentAsync();
        await BookRunsAheadAsync(scenario);

        var voided = await ThroughFaultsAsync(() => Corrections(scenario).VoidAsync()).WaitAsync(Generous);

        Assert.Equal(InvoiceStatus.Void, voided.Status);
        Assert.Equal("void", cluster.Stripe.FindInvoice(account, invoice.StripeInvoiceId!)!.Status);
    }

    [Fact]
    public async Task A_void_that_finds_no_slot_within_the_bound_is_a_503_with_Retry_After_from_the_slot_and_changes_nothing()
    {
        var (scenario, account, invoice) = await SentAsync();
        var booked = await BookEverySlotAsync(scenario);

        var refused = await RefusedAsync(() => Corrections(scenario).VoidAsync());

        // The slot it would have had is a minute away: come back when it is within the bound.
        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(60));
        Assert.Empty(Requests(account, "/void"));
        Assert.Equal("open", cluster.Stripe.FindInvoice(account, invoice.StripeInvoiceId!)!.Status);
        Assert.Equal(InvoiceStatus.Sent, (await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).GetSummaryAsync())!.Status);

        // The slots free again (the run gave them back): the void goes out under the key it always had.
        await GiveBackAsync(scenario, booked);
        var voided = await ThroughFaultsAsync(() => Corrections(scenario).VoidAsync()).WaitAsync(Generous);
        Assert.Equal(InvoiceStatus.Void, voided.Status);
        Assert.Equal($"{scenario.InvoiceKey(October)}:void", Requests(account, "/void").First().IdempotencyKey);
    }

    [Fact]
    public async Task A_credit_is_refused_with_nothing_written_when_no_slot_is_near_and_issued_once_within_seconds_while_runs_are_booked_ahead()
    {
        var (scenario, account, invoice) = await SentAsync(autoCharge: true);
        Assert.Equal(InvoiceStatus.Paid, invoice.Status);
        var draft = (await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).GetDraftAsync())!;
        var request = new CreditRequest("goodwill", CreditDestination.Balance, [new CreditLineRequest(draft.Lines[0].LineRef, null)]);
        var booked = await BookEverySlotAsync(scenario);

        var refused = await RefusedAsync(() => Corrections(scenario).CreditAsync(request));

        Assert.NotNull(refused.RetryAfter);
        Assert.Empty(await Corrections(scenario).ListCreditsAsync());
        Assert.Empty(cluster.Stripe.CreditNotes(account));
        Assert.Empty(Requests(account, "/credit_notes"));

        await GiveBackAsync(scenario, booked);
        await BookRunsAheadAsync(scenario);
        var credit = await ThroughFaultsAsync(() => Corrections(scenario).CreditAsync(request)).WaitAsync(Generous);
        var again = await Corrections(scenario).CreditAsync(request);

        Assert.Equal(credit.StripeCreditNoteId, again.StripeCreditNoteId);
        Assert.Equal(credit.StripeCreditNoteId, Assert.Single(cluster.Stripe.CreditNotes(account)).Id);
        Assert.All(Requests(account, "/credit_notes").Where(r => r.Method == "POST"), r => Assert.StartsWith($"{scenario.InvoiceKey(October)}:credit:goodwill", r.IdempotencyKey, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Connecting_another_key_while_runs_are_booked_ahead_is_checked_within_seconds_or_refused_with_the_old_connection_kept()
    {
        var (scenario, _) = await StartAsync(cluster);
        var account = cluster.Grains.GetGrain<IAccountGrain>(scenario.AccountId);
        var before = (await account.GetStripeAccessAsync())!.StripeIdentity;
        var booked = await BookEverySlotAsync(scenario);

        var refused = await RefusedAsync(() => account.ConnectStripeAsync(new StripeCredentials(null, $"sk_test_{Guid.NewGuid():N}")));

        Assert.InRange(refused.RetryAfter!.Value, TimeSpan.FromSeconds(40), TimeSpan.FromSeconds(60));
        Assert.Equal(before, (await account.GetStripeAccessAsync())!.StripeIdentity);

        await GiveBackAsync(scenario, booked);
        await BookRunsAheadAsync(scenario);
        var key = $"sk_test_{Guid.NewGuid():N}";
        var connected = await account.ConnectStripeAsync(new StripeCredentials(null, key)).WaitAsync(Generous);

        Assert.Equal(StripeConnectionMode.SecretKey, connected.Account.Stripe.Mode);
        Assert.Equal(key[^4..], connected.Account.Stripe.SecretKeyLast4);
        Assert.NotEqual(before, (await account.GetStripeAccessAsync())!.StripeIdentity);
    }

    [Fact]
    public async Task A_thin_event_whose_read_is_seconds_away_is_not_waited_for_in_its_call_and_is_applied_at_its_slot()
    {
        var (scenario, account, invoice) = await SentAsync();
        try
        {
            await cluster.StripeClient(account).V1.Invoices.VoidInvoiceAsync(invoice.StripeInvoiceId);   // the reseller voids it in Stripe
        }
        catch (global::Stripe.StripeException failed) when ((int?)failed.HttpStatusCode >= 500)
        {
            // The fake's first write of the route fails after its work.
        }

        try
        {
            await cluster.StripeClient(account).V1.Invoices.GetAsync(invoice.StripeInvoiceId);   // the route's first read fails: not the grain's
        }
        catch (global::Stripe.StripeException failed) when ((int?)failed.HttpStatusCode >= 500)
        {
        }

        // Eight seconds of the account's pace booked by runs.
        await Pacer(scenario).BookAsync(RequestsPerSecond, Enumerable.Repeat(string.Empty, 8 * RequestsPerSecond).ToArray(), TimeSpan.Zero);
        var events = cluster.Grains.GetGrain<IStripeEventGrain>(0);

        var refused = await RefusedAsync(() => events.ApplyThinInvoiceEventAsync(scenario.AccountId, null, "evt_thin_void", "invoice.voided", invoice.StripeInvoiceId!));

        Assert.True(refused.RetryAfter > StripeInteractiveRule.Within);   // Stripe delivers it again; meanwhile it is read at its slot
        await Eventually.TrueAsync(
            async () => (await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).GetSummaryAsync())!.Status == InvoiceStatus.Void,
            Generous);
    }
}
