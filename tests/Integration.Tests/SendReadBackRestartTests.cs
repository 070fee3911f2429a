using System.Security.Cryptography;
using Orleans.TestingHost;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// A send that went out while every silo died before its answer was recorded, on PostgreSQL: new silos find it
/// among Stripe's <c>invoice.sent</c> events and do not send it again, even once Stripe no longer replays the
/// send's idempotency key (its window passed while the cluster was down; a second here, 24 hours in Stripe).
/// </summary>
[Collection(PostgresTestGroup.Name)]
public sealed class SendReadBackRestartTests(PostgresFixture postgres)
{
    [Fact]
    public async Task A_send_that_went_out_before_every_silo_died_is_found_by_the_new_silos_and_the_invoice_is_sent_once()
    {
        var ids = ClusterIds.New("send-read-back");
        var window = TimeSpan.FromSeconds(1);
        await using var stripe = await StripeSandboxServer.StartAsync(new StripeSandboxOptions { RecordRequestLog = true, IdempotencyWindow = window, FaultFirstRequestOfEachRoute = false });
        var encryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var handCase = HandWorkedInvoices.Minnesota;
        var expected = handCase.Invoices[0];
        var accountId = $"sendback-{Guid.NewGuid():N}"[..24];
        var invoiceKey = GrainKeys.MonthlyInvoice(accountId, "t1", expected.Period);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        var stripeAccount = stripe.PlatformAccountId(secretKey);
        FakeInvoice Ours() => Assert.Single(stripe.Invoices(stripeAccount), i => i.Metadata.GetValueOrDefault(StripeGateway.InvoiceKeyMetadata) == invoiceKey);

        StripePipelineCluster.Clock.Set(handCase.ProfileAt);
        await using (var first = await StripePipelineCluster.StartAsync(postgres.ConnectionString, ids, stripe.ApiBase, encryptionKey, silos: 1))
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
            await tenant.AcceptStatementAsync(expected.Period, HandWorkedInvoices.Statement with { UsageTotal = 3.10m });

            // Stripe e-mails the invoice and holds the answer until every silo is gone.
            var held = stripe.InjectFault(new FaultRule(FaultKind.TimeoutAfterWork)
            {
                Method = "POST", Path = "/v1/invoices/*/send", AccountId = stripeAccount, Delay = TimeSpan.FromMinutes(5),
            });
            StripePipelineCluster.Clock.Set(expected.BilledAt);
            await tenant.AsReference<IRemindable>().ReceiveReminder("invoice-due", default);
            await PostgresCluster.WaitUntilAsync(
                () => Task.FromResult(held.Fired == 1 && Ours().SendCount == 1), TimeSpan.FromSeconds(60), "Stripe has sent the invoice whose answer is held");
            Assert.Equal(InvoiceStatus.HandedOver, (await grains.GetGrain<IStripeInvoiceGrain>(invoiceKey).GetSummaryAsync())!.Status);
            await StripePipelineCluster.KillAllSilosAsync(first);
        }

        // Stripe forgets the send's key (and no other fault meets the new silos' requests): the same request would e-mail the invoice again.
        await Task.Delay(window + TimeSpan.FromMilliseconds(500));

        await using var second = await StripePipelineCluster.StartAsync(postgres.ConnectionString, ids, stripe.ApiBase, encryptionKey, silos: 1);
        var sent = await StatusAsync(second, invoiceKey, InvoiceStatus.Sent);

        var ours = Ours();
        Assert.Equal((sent.StripeInvoiceId, "open", 1), (ours.Id, ours.Status, ours.SendCount));
        Assert.Equal(ours.Number, sent.Number);
        Assert.Contains(stripe.RequestLog, r => r.AccountId == stripeAccount && r.Route == "GET /v1/events" && r.Status == 200);
        var ledger = second.Client.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(accountId, "2026-05"));
        Assert.Single(await ledger.ListFeesAsync(), f => f.InvoiceKey == invoiceKey);
        Assert.Single(await ledger.ListTaxesAsync(), t => t.InvoiceKey == invoiceKey);
    }

    private static async Task<InvoiceSummary> StatusAsync(TestCluster cluster, string invoiceKey, InvoiceStatus status)
    {
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (true)
        {
            var summary = await cluster.Client.GetGrain<IStripeInvoiceGrain>(invoiceKey).GetSummaryAsync();
            if (summary?.Status == status)
            {
                return summary;
            }

            Assert.True(DateTime.UtcNow < deadline, $"Invoice {invoiceKey} was not {status} within 90 s: {summary?.Status.ToString() ?? "not handed over"}, {summary?.FailureReason}");
            await Task.Delay(100);
        }
    }
}
