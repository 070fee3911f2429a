using System.Security.Cryptography;
using Orleans.TestingHost;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// The real invoice pipeline on PostgreSQL (<see cref="StripePipelineCluster"/>: no hand-over double)
/// through a crash of the whole cluster in the middle of an invoice: Stripe has done the step, its answer
/// is held, and every silo dies; new silos on the same database finish the invoice from what was stored.
/// Silos in this process, not separate processes (Processes/ProcessCluster), because the test must count
/// what the tax engine committed and set the billing clock, and reminders must tick every second so the
/// invoice resumes in seconds (a product silo's minimum is Orleans' one minute).
/// </summary>
[Collection(PostgresTestGroup.Name)]
public sealed class RealPipelineRestartTests(PostgresFixture postgres)
{
    [Theory]
    [InlineData("finalize")]
    [InlineData("send")]
    public async Task An_invoice_whose_stripe_answer_is_lost_with_every_silo_is_finished_once_by_new_silos_on_the_same_database(string step)
    {
        var ids = ClusterIds.New($"pipeline-{step}");
        await using var stripe = await StripeSandboxServer.StartAsync(new StripeSandboxOptions { RecordRequestLog = true });
        var encryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var handCase = HandWorkedInvoices.Minnesota;
        var expected = handCase.Invoices[0];
        var accountId = $"pipeline-{Guid.NewGuid():N}"[..24];
        var invoiceKey = GrainKeys.MonthlyInvoice(accountId, "t1", expected.Period);
        var secretKey = $"sk_test_{Guid.NewGuid():N}";
        var stripeAccount = stripe.PlatformAccountId(secretKey);
        FakeInvoice Ours() => Assert.Single(stripe.Invoices(stripeAccount), i => i.Metadata.GetValueOrDefault(StripeGateway.InvoiceKeyMetadata) == invoiceKey);

        StripePipelineCluster.Clock.Set(handCase.ProfileAt);
        await using (var first = await StripePipelineCluster.StartAsync(postgres.ConnectionString, ids, stripe.ApiBase, encryptionKey))
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

            // A one-time invoice first meets the fake's first-request fault on every route (and takes the customer's
            // $1.00 credit), so the month's invoice below meets nothing but the held answer.
            StripePipelineCluster.Clock.Set(expected.StatementAt);
            var setup = await tenant.SendOneTimeInvoiceAsync("setup", [new OneTimeItem(null, "Setup", 1, 25m, TaxCategory.NonTaxable)]);
            await StatusAsync(first, setup.InvoiceKey, InvoiceStatus.Sent);

            // $3.10 of the carrier's usage: a phantom tenant, so the invoice costs the account a fee.
            await tenant.AcceptStatementAsync(expected.Period, HandWorkedInvoices.Statement with { UsageTotal = 3.10m });
            var held = stripe.InjectFault(new FaultRule(FaultKind.TimeoutAfterWork)
            {
                Method = "POST", Path = $"/v1/invoices/*/{step}", AccountId = stripeAccount, Delay = TimeSpan.FromMinutes(5),
            });
            StripePipelineCluster.Clock.Set(expected.BilledAt);
            await tenant.AsReference<IRemindable>().ReceiveReminder("invoice-due", default);

            // Stripe has finalized (or sent) the invoice; the answer is held, so the invoice grain is still waiting for it.
            await PostgresCluster.WaitUntilAsync(
                () => Task.FromResult(held.Fired == 1 && (step == "finalize" ? Ours().Status == "open" : Ours().SendCount == 1)),
                TimeSpan.FromSeconds(60),
                $"Stripe has done the {step} whose answer is held");
            Assert.Equal(InvoiceStatus.HandedOver, (await grains.GetGrain<IStripeInvoiceGrain>(invoiceKey).GetSummaryAsync())!.Status);
            await StripePipelineCluster.KillAllSilosAsync(first);
        }

        // What the new silos have to go on: the invoice's state, the account's record of invoices in flight and its one reminder, in PostgreSQL.
        Assert.Equal(1L, await RetryRemindersAsync(ids));

        await using var second = await StripePipelineCluster.StartAsync(postgres.ConnectionString, ids, stripe.ApiBase, encryptionKey);
        var sent = await StatusAsync(second, invoiceKey, InvoiceStatus.Sent);
        await PostgresCluster.WaitUntilAsync(async () => await RetryRemindersAsync(ids) == 0, TimeSpan.FromSeconds(30), "the account's reminder is unregistered once nothing is in flight");

        // Exactly one Stripe invoice for the key, sent once, with the hand-worked figures (its credit went to the setup invoice).
        var ours = Ours();
        Assert.Equal((sent.StripeInvoiceId, "open", 1), (ours.Id, ours.Status, ours.SendCount));
        await HandWorkedInvoices.AssertStripeHoldsAsync(StripeReader(stripe, secretKey), ours.Id, expected with { AmountDue = expected.Total });

        // One phantom fee and one tax report entry for the key, in the ledger of the month it was finalized.
        var ledger = second.Client.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(accountId, "2026-05"));
        var fee = Assert.Single(await ledger.ListFeesAsync(), f => f.InvoiceKey == invoiceKey);
        Assert.Equal((5.00m, ours.Id), (fee.Amount, fee.StripeInvoiceId));
        var taxes = Assert.Single(await ledger.ListTaxesAsync(), t => t.InvoiceKey == invoiceKey);
        Assert.False(taxes.Voided);
        Assert.Equal(71.85m, taxes.Taxes.Sum(t => t.TaxAmount));   // the hand-worked 7185 cents

        // The taxes were committed with the engine once, for the invoice as sent.
        await PostgresCluster.WaitUntilAsync(() => Task.FromResult(StripePipelineCluster.Taxes.Committed(invoiceKey) is not null), TimeSpan.FromSeconds(30), "the taxes are committed");
        Assert.Equal(1, StripePipelineCluster.Taxes.CommitCalls(invoiceKey));
        Assert.Equal(71.85m, StripePipelineCluster.Taxes.Committed(invoiceKey)!.Lines.Sum(l => l.TaxAmount));
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

    private Task<long> RetryRemindersAsync(ClusterIds ids) => Database.ScalarAsync<long>(
        postgres.ConnectionString, "SELECT count(*) FROM orleans_reminders WHERE service_id = $1 AND reminder_name = 'invoice-runs'", ids.ServiceId);

    private static global::Stripe.StripeClient StripeReader(StripeSandboxServer stripe, string secretKey) => new(new global::Stripe.StripeClientOptions
    {
        ApiKey = secretKey,
        ApiBase = stripe.ApiBase,
        HttpClient = new global::Stripe.SystemNetHttpClient(new HttpClient(), maxNetworkRetries: 2),
    });
}
