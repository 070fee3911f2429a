using System.Security.Cryptography;
using Orleans.TestingHost;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Invoices;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;

namespace TenantBilling.Integration.Tests;

/// <summary>
/// The real invoice pipeline on PostgreSQL (<see cref="StripePipelineCluster"/>: no hand-over double)
/// through a crash of the whole cluster in the middle of an invoice; new silos on the same database finish
/// the invoice from what was stored. Each test puts the crash where one safeguard alone stands between the
/// restart and a second invoice, fee or email. Silos in this process, not separate processes
/// (Processes/ProcessCluster), because the test must count what the tax engine committed, set the billing
/// clock and hold a state write, and reminders must tick every second so the invoice resumes in seconds (a
/// product silo's minimum is Orleans' one minute).
/// </summary>
[Collection(PostgresTestGroup.Name)]
public sealed class RealPipelineRestartTests(PostgresFixture postgres)
{
    /// <summary>
    /// Stripe finalized the invoice and answered 500, replayed for the key; four reads failed too, so the
    /// invoice waited and wrote its record: drafted in Stripe, lines added, finalize key spent. Only reading
    /// Stripe first on resuming (<c>InvoiceRun.Resumed</c>) keeps new silos from finalizing again under a new
    /// key. The retry then read it back, recorded the phantom fee and taxes in the ledger and every silo died
    /// before the record said so: only the ledger's own check keeps the fee from being charged twice. The month
    /// already holds other invoices' records, so the fee and taxes fill the ledger's page and a fee offered
    /// again would start the next one, where the page's own check does not see it.
    /// </summary>
    [Fact]
    public async Task An_invoice_finalized_with_its_answer_lost_and_its_fee_recorded_before_its_record_says_so_is_finished_once_by_new_silos()
    {
        await using var run = await PipelineRun.StartAsync(postgres, "pipeline-finalize");
        var finalize = run.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorAfterWork) { Method = "POST", Path = "/v1/invoices/*/finalize", AccountId = run.StripeAccount });
        var reads = run.Stripe.InjectFault(new FaultRule(FaultKind.ServerErrorBeforeWork) { Method = "GET", Path = "/v1/invoices/*", AccountId = run.StripeAccount, Count = 4 });
        var invoiceId = GrainId.Create("stripe-invoice", run.InvoiceKey);
        var waitingRecord = StripePipelineCluster.Writes.Stored<InvoiceState>(invoiceId, s => s.Step == InvoiceStep.LinesAdded && s.StripeInvoiceId is not null && s.Attempt > 0);
        var ledgerRecord = StripePipelineCluster.Writes.Hold<InvoiceState>(invoiceId, s => s.LedgerRecorded);

        await run.FillLedgerPageAsync(leaving: 2);

        await run.BillMonthAsync();
        await ledgerRecord.Reached.WaitAsync(TimeSpan.FromSeconds(90));

        // The record as stored: waiting after five failures, not final; Stripe has finalized and not sent it; the ledger holds the fee.
        Assert.True(waitingRecord.IsCompletedSuccessfully, "the invoice wrote its record while it waited to retry");
        Assert.Equal((1, 4), (finalize.Fired, reads.Fired));
        Assert.Equal(("open", 0), (run.Ours().Status, run.Ours().SendCount));
        var page = await run.LedgerPage(0).ReadAsync();
        Assert.Single(page.Fees, f => f.InvoiceKey == run.InvoiceKey);
        Assert.Equal(PipelineRun.LedgerPageSize, page.Count);
        Assert.Equal(0, (await run.LedgerPage(1).ReadAsync()).Count);
        await run.KillAllSilosAsync();
        ledgerRecord.Lose();

        await run.FinishOnNewSilosAndAssertOnceAsync();
    }

    /// <summary>
    /// The record says final and the fee recorded; Stripe emailed the invoice and the answer is held while every
    /// silo dies. New silos send again under the same key, which replays the answer: emailed once.
    /// </summary>
    [Fact]
    public async Task An_invoice_whose_send_answer_is_lost_with_every_silo_is_sent_once_by_new_silos()
    {
        await using var run = await PipelineRun.StartAsync(postgres, "pipeline-send");
        var held = run.Stripe.InjectFault(new FaultRule(FaultKind.TimeoutAfterWork)
        {
            Method = "POST", Path = "/v1/invoices/*/send", AccountId = run.StripeAccount, Delay = TimeSpan.FromMinutes(5),
        });

        await run.BillMonthAsync();
        await PostgresCluster.WaitUntilAsync(
            () => Task.FromResult(held.Fired == 1 && run.Ours().SendCount == 1), TimeSpan.FromSeconds(90), "Stripe has sent the invoice whose answer is held");
        Assert.Equal(InvoiceStatus.HandedOver, (await run.First!.Client.GetGrain<IStripeInvoiceGrain>(run.InvoiceKey).GetSummaryAsync())!.Status);
        await run.KillAllSilosAsync();

        await run.FinishOnNewSilosAndAssertOnceAsync();
    }

    /// <summary>
    /// One account and tenant (the hand-worked Minnesota case, $3.10 of usage so the invoice costs the account a
    /// phantom fee) on a first cluster, a month's statement accepted; then a crash, new silos on the same
    /// database, and the checks that the month was billed exactly once.
    /// </summary>
    private sealed class PipelineRun : IAsyncDisposable
    {
        private readonly PostgresFixture postgres;
        private readonly ClusterIds ids;
        private readonly string encryptionKey = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        private readonly string accountId = $"pipeline-{Guid.NewGuid():N}"[..24];
        private readonly string secretKey = $"sk_test_{Guid.NewGuid():N}";
        private readonly HandCase handCase = HandWorkedInvoices.Minnesota;
        private TestCluster? second;

        private PipelineRun(PostgresFixture postgres, string name, StripeSandboxServer stripe)
        {
            this.postgres = postgres;
            this.ids = ClusterIds.New(name);
            this.Stripe = stripe;
            this.StripeAccount = stripe.PlatformAccountId(this.secretKey);
            this.InvoiceKey = GrainKeys.MonthlyInvoice(this.accountId, "t1", this.Expected.Period);
        }

        public StripeSandboxServer Stripe { get; }

        public string StripeAccount { get; }

        public string InvoiceKey { get; }

        /// <summary>The cluster that dies; null once it has.</summary>
        public TestCluster? First { get; private set; }

        private HandInvoice Expected => this.handCase.Invoices[0];

        private ITenantGrain Tenant => this.First!.Client.GetGrain<ITenantGrain>(GrainKeys.Tenant(this.accountId, "t1"));

        public static async Task<PipelineRun> StartAsync(PostgresFixture postgres, string name)
        {
            var run = new PipelineRun(postgres, name, await StripeSandboxServer.StartAsync(new StripeSandboxOptions { RecordRequestLog = true }));
            await run.SetUpAsync();
            return run;
        }

        /// <summary>The one Stripe invoice carrying the invoice key.</summary>
        public FakeInvoice Ours() => Assert.Single(this.Stripe.Invoices(this.StripeAccount), i => i.Metadata.GetValueOrDefault(StripeGateway.InvoiceKeyMetadata) == this.InvoiceKey);

        /// <summary>Records a ledger page holds (<c>AccountLedgerGrain.PageSize</c>).</summary>
        public const int LedgerPageSize = 16;

        private const string LedgerMonth = "2026-05";

        /// <summary>The ledger of the month the invoice is finalized in.</summary>
        public IAccountLedgerGrain Ledger(TestCluster cluster) => cluster.Client.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(this.accountId, LedgerMonth));

        /// <summary>One page of that ledger, as stored.</summary>
        public IAccountLedgerPageGrain LedgerPage(int page) =>
            this.First!.Client.GetGrain<IAccountLedgerPageGrain>(GrainKeys.AccountLedgerPage(GrainKeys.AccountLedger(this.accountId, LedgerMonth), page));

        /// <summary>Fees of other tenants' invoices, until the ledger's first page has room for <paramref name="leaving"/> more records.</summary>
        public async Task FillLedgerPageAsync(int leaving)
        {
            var ledger = this.Ledger(this.First!);
            var held = (await ledger.ListFeesAsync()).Count + (await ledger.ListTaxesAsync()).Count;
            for (var i = held; i < LedgerPageSize - leaving; i++)
            {
                var other = GrainKeys.MonthlyInvoice(this.accountId, $"other{i}", this.Expected.Period);
                await ledger.RecordPhantomFeeAsync(new PhantomFee(other, $"other{i}", PhantomFees.Fee, 1.00m, this.Expected.BilledAt, $"in_other{i}", null));
            }
        }

        /// <summary>The month's invoice is due: the tenant hands it over and it goes to Stripe.</summary>
        public async Task BillMonthAsync()
        {
            StripePipelineCluster.Clock.Set(this.Expected.BilledAt);
            await this.Tenant.AsReference<IRemindable>().ReceiveReminder("invoice-due", default);
        }

        public async Task KillAllSilosAsync()
        {
            await StripePipelineCluster.KillAllSilosAsync(this.First!);
            await this.First!.DisposeAsync();
            this.First = null;
        }

        /// <summary>New silos on the same database finish the invoice: one Stripe invoice, sent once, one fee, one tax commit.</summary>
        public async Task FinishOnNewSilosAndAssertOnceAsync()
        {
            // What the new silos have to go on: the invoice's state, the account's record of invoices in flight and its one reminder, in PostgreSQL.
            Assert.Equal(1L, await this.RetryRemindersAsync());

            this.second = await StripePipelineCluster.StartAsync(this.postgres.ConnectionString, this.ids, this.Stripe.ApiBase, this.encryptionKey);
            var sent = await StatusAsync(this.second, this.InvoiceKey, InvoiceStatus.Sent);
            await PostgresCluster.WaitUntilAsync(async () => await this.RetryRemindersAsync() == 0, TimeSpan.FromSeconds(30), "the account's reminder is unregistered once nothing is in flight");

            // Exactly one Stripe invoice for the key, finalized and sent once, with the hand-worked figures (its credit went to the setup invoice).
            var ours = this.Ours();
            Assert.Equal((sent.StripeInvoiceId, "open", 1), (ours.Id, ours.Status, ours.SendCount));
            await HandWorkedInvoices.AssertStripeHoldsAsync(StripeReader.For(this.Stripe.ApiBase, this.secretKey), ours.Id, this.Expected with { AmountDue = this.Expected.Total });

            // One phantom fee and one tax report entry for the key, in the ledger of the month it was finalized.
            var ledger = this.Ledger(this.second);
            var fee = Assert.Single(await ledger.ListFeesAsync(), f => f.InvoiceKey == this.InvoiceKey);
            Assert.Equal((5.00m, ours.Id), (fee.Amount, fee.StripeInvoiceId));
            var taxes = Assert.Single(await ledger.ListTaxesAsync(), t => t.InvoiceKey == this.InvoiceKey);
            Assert.False(taxes.Voided);
            Assert.Equal(71.85m, taxes.Taxes.Sum(t => t.TaxAmount));   // the hand-worked 7185 cents

            // The taxes were committed with the engine once, for the invoice as sent.
            await PostgresCluster.WaitUntilAsync(() => Task.FromResult(StripePipelineCluster.Taxes.Committed(this.InvoiceKey) is not null), TimeSpan.FromSeconds(30), "the taxes are committed");
            Assert.Equal(1, StripePipelineCluster.Taxes.CommitCalls(this.InvoiceKey));
            Assert.Equal(71.85m, StripePipelineCluster.Taxes.Committed(this.InvoiceKey)!.Lines.Sum(l => l.TaxAmount));
        }

        public async ValueTask DisposeAsync()
        {
            if (this.First is not null)
            {
                await this.First.DisposeAsync();
            }

            if (this.second is not null)
            {
                await this.second.DisposeAsync();
            }

            await this.Stripe.DisposeAsync();
        }

        private async Task SetUpAsync()
        {
            StripePipelineCluster.Clock.Set(this.handCase.ProfileAt);
            this.First = await StripePipelineCluster.StartAsync(this.postgres.ConnectionString, this.ids, this.Stripe.ApiBase, this.encryptionKey);
            var account = this.First.Client.GetGrain<IAccountGrain>(this.accountId);
            await account.CreateAsync("Lakes VoIP");
            await account.ConnectStripeAsync(new StripeCredentials(null, this.secretKey));
            await account.UpdateSettingsAsync(new AccountSettings(30, 25));
            await this.Tenant.SaveDetailsAsync(new TenantDetails("Lakes Dental", "+16125550100", "ap@lakes.example", "Lena Lake", "+16125550101", this.handCase.Address));
            await this.Tenant.ValidateAddressAsync();
            await this.Tenant.SetBillingProfileAsync(HandWorkedInvoices.Profile());

            // A one-time invoice first meets the fake's first-request fault on every route (and takes the customer's
            // $1.00 credit), so the month's invoice below meets only the faults its test injects.
            StripePipelineCluster.Clock.Set(this.Expected.StatementAt);
            var setup = await this.Tenant.SendOneTimeInvoiceAsync("setup", [new OneTimeItem(null, "Setup", 1, 25m, TaxCategory.NonTaxable)]);
            await StatusAsync(this.First, setup.InvoiceKey, InvoiceStatus.Sent);

            // $3.10 of the carrier's usage: a phantom tenant, so the invoice costs the account a fee.
            await this.Tenant.AcceptStatementAsync(this.Expected.Period, HandWorkedInvoices.Statement with { UsageTotal = 3.10m });
        }

        private Task<long> RetryRemindersAsync() => Database.ScalarAsync<long>(
            this.postgres.ConnectionString, "SELECT count(*) FROM orleans_reminders WHERE service_id = $1 AND reminder_name = 'invoice-runs'", this.ids.ServiceId);
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

            // A failed invoice stays failed until retried: no need to wait out the deadline.
            Assert.True(DateTime.UtcNow < deadline && summary?.Status != InvoiceStatus.Failed, $"Invoice {invoiceKey} was not {status} (within 90 s): {summary?.Status.ToString() ?? "not handed over"}, {summary?.FailureReason}");
            await Task.Delay(100);
        }
    }
}
