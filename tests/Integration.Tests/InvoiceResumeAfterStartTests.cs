using System.Diagnostics;
using System.Security.Cryptography;
using Orleans.TestingHost;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;
using Xunit.Abstractions;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// After a silo starts, unfinished invoices go on with their Stripe work at once, not at the next tick of the
/// reminder that would otherwise bring them back: on PostgreSQL, every silo dies while Stripe holds an
/// invoice's answer; a new silo on the same database finishes it. The retry interval (and so the reminder's
/// period) is ten minutes, so only the start can have resumed it within the test's bound.
/// </summary>
[Collection(PostgresTestGroup.Name)]
public sealed class InvoiceResumeAfterStartTests(PostgresFixture postgres, ITestOutputHelper output)
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromMinutes(10);

    [Fact]
    public async Task An_unfinished_invoice_resumes_its_Stripe_work_when_a_silo_starts_not_at_the_retry_tick()
    {
        var ids = ClusterIds.New("resume");
        await using var stripe = await StripeSandboxServer.StartAsync(new StripeSandboxOptions { FaultFirstRequestOfEachRoute = false });
        var encryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var handCase = HandWorkedInvoices.Minnesota;
        var expected = handCase.Invoices[0];
        var accountId = $"resume-{Guid.NewGuid():N}"[..24];
        var invoiceKey = GrainKeys.MonthlyInvoice(accountId, "t1", expected.Period);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        var stripeAccount = stripe.PlatformAccountId(secretKey);
        FakeInvoice Ours() => Assert.Single(stripe.Invoices(stripeAccount), i => i.Metadata.GetValueOrDefault(StripeGateway.InvoiceKeyMetadata) == invoiceKey);

        StripePipelineCluster.Clock.Set(handCase.ProfileAt);
        await using (var first = await StripePipelineCluster.StartAsync(postgres.ConnectionString, ids, stripe.ApiBase, encryptionKey, silos: 1, retryInterval: RetryInterval))
        {
            var grains = first.Client;
            var account = grains.GetGrain<IAccountGrain>(accountId);
            await account.CreateAsync("Lakes VoIP");
            await account.ConnectStripeAsync(new StripeCredentials(null, secretKey));
            await account.UpdateSettingsAsync(new AccountSettings(30, 25));
            var tenant = grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(accountId, "t1"));
            await tenant.SaveDetailsAsync(new TenantDetails("Lakes Dental", "+16125550100", "ap@lakes.example", "Lena Lake", "+16125550101", handCase.Address));
            await tenant.ValidateAddressAsync();
            await tenant.SetBillingProfileAsync(HandWorkedInvoices.Profile());
            StripePipelineCluster.Clock.Set(expected.StatementAt);
            await tenant.AcceptStatementAsync(expected.Period, HandWorkedInvoices.Statement);

            // Stripe finalizes the invoice and holds its answer: the invoice grain waits for it when every silo dies.
            var held = stripe.InjectFault(new FaultRule(FaultKind.TimeoutAfterWork)
            {
                Method = "POST", Path = "/v1/invoices/*/finalize", AccountId = stripeAccount, Delay = TimeSpan.FromMinutes(5),
            });
            StripePipelineCluster.Clock.Set(expected.BilledAt);
            await tenant.AsReference<IRemindable>().ReceiveReminder("invoice-due", default);
            await PostgresCluster.WaitUntilAsync(
                () => Task.FromResult(held.Fired == 1 && Ours().Status == "open"), TimeSpan.FromSeconds(60), "Stripe has finalized the invoice whose answer is held");
            await StripePipelineCluster.KillAllSilosAsync(first);
        }

        var killedAt = DateTimeOffset.UtcNow;
        Assert.Equal(0, Ours().SendCount);
        Assert.Equal(1L, await Database.ScalarAsync<long>(
            postgres.ConnectionString, "SELECT count(*) FROM orleans_reminders WHERE service_id = $1 AND reminder_name = 'invoice-runs'", ids.ServiceId));

        var starting = Stopwatch.StartNew();
        await using var second = await StripePipelineCluster.StartAsync(postgres.ConnectionString, ids, stripe.ApiBase, encryptionKey, silos: 1, retryInterval: RetryInterval);
        var startedAt = DateTimeOffset.UtcNow;
        var siloStart = starting.Elapsed;
        var sent = await SentAsync(second, invoiceKey, within: TimeSpan.FromSeconds(90));
        var sentAfter = DateTimeOffset.UtcNow - startedAt;
        var resumedAt = stripe.RequestLog.First(r => r.AccountId == stripeAccount && r.At > killedAt).At;

        output.WriteLine($"silo start {siloStart.TotalSeconds:0.0} s; first Stripe request {(resumedAt - startedAt).TotalSeconds:0.0} s and invoice sent {sentAfter.TotalSeconds:0.0} s after the silo was up (retry interval {RetryInterval.TotalMinutes} min)");
        Assert.True(sentAfter < RetryInterval / 4, $"sent {sentAfter} after the start: that was the retry tick, not the start");
        var ours = Ours();
        Assert.Equal((sent.StripeInvoiceId, "open", 1), (ours.Id, ours.Status, ours.SendCount));
        Assert.Single(stripe.Invoices(stripeAccount));
    }

    private static async Task<InvoiceSummary> SentAsync(TestCluster cluster, string invoiceKey, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var summary = await cluster.Client.GetGrain<IStripeInvoiceGrain>(invoiceKey).GetSummaryAsync();
            if (summary?.Status == InvoiceStatus.Sent)
            {
                return summary;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Invoice {invoiceKey} was not sent within {within}: {summary?.Status.ToString() ?? "not handed over"}, {summary?.FailureReason}");
            await Task.Delay(100);
        }
    }
}
