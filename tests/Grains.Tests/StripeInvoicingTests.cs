using TenantBilling.Grains.Domain;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.TestSupport;
using TenantBilling.StripeSandbox;
using static TenantBilling.Grains.Tests.Support.Scenario;
using static TenantBilling.Grains.Tests.Support.StripeSteps;

namespace TenantBilling.Grains.Tests;

/// <summary>The invoice pipeline through the real Stripe.net client against the Stripe fake.</summary>
[Collection(StripeClusterTests.Name)]
public sealed class StripeInvoicingTests(OneSiloStripeCluster cluster)
{
    [Fact]
    public async Task An_invoice_is_created_with_all_its_lines_finalized_and_sent_and_its_total_equals_the_preview()
    {
        var (scenario, account) = await StartAsync(cluster, includeTaxes: true);

        var preview = await StripeBillingCluster.BillAsync(scenario, October, minutes: 12_345);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        var sent = Assert.Single(cluster.Stripe.Invoices(account));
        Assert.Equal(sent.Id, invoice.StripeInvoiceId);
        Assert.Equal("open", sent.Status);
        Assert.Equal("send_invoice", sent.CollectionMethod);
        Assert.Equal(1, sent.SendCount);
        Assert.Equal(Money.ToCents(preview.Total), sent.Total);
        Assert.Equal(sent.AmountDue, invoice.AmountDueCents);   // the total less the customer's credit in Stripe
        Assert.NotEmpty(preview.Taxes);
        // Taxes travel as tax amounts on the lines they apply to: one Stripe line per billed line.
        Assert.Equal(preview.Lines.Count, sent.Lines.Count);
        Assert.Equal(Money.ToCents(preview.TaxTotal), sent.TotalTaxes);
        Assert.Equal(sent.Total, sent.Lines.Sum(l => l.Amount) + sent.Lines.Sum(l => l.Taxes.Sum(t => t.Amount)));
        Assert.Equal(scenario.InvoiceKey(October), sent.Metadata[StripeGateway.InvoiceKeyMetadata]);
        Assert.Equal(sent.Number, invoice.Number);
        Assert.NotNull(invoice.HostedInvoiceUrl);
        Assert.DoesNotContain(cluster.Stripe.InvoiceItems(account), i => i.InvoiceId is null);

        Assert.All(cluster.Stripe.RequestLog.Where(r => r.AccountId == account && r.Method == "POST"), r => Assert.StartsWith(scenario.InvoiceKey(October).Split('/')[0], r.IdempotencyKey));
    }

    [Fact]
    public async Task An_invoice_takes_four_stripe_requests_when_nothing_fails_taxes_included()
    {
        // The account's first invoice meets the fake's first-request fault on every route; its second meets none.
        var (scenario, account) = await StartAsync(cluster, includeTaxes: true);
        await StripeBillingCluster.BillAsync(scenario, October, minutes: 12_345);
        await cluster.SettledAsync(scenario.InvoiceKey(October));
        var before = cluster.Stripe.RequestLog.Count;

        cluster.Clock.Set(Utc(2026, 12, 21, 8));
        var november = await StripeBillingCluster.BillAsync(scenario, "2026-11", minutes: 12_345);
        Assert.Equal(InvoiceStatus.Sent, (await cluster.SettledAsync(scenario.InvoiceKey("2026-11"))).Status);

        Assert.NotEmpty(november.Taxes);
        Assert.Equal(
            ["POST /v1/invoices", "POST /v1/invoices/{id}/add_lines", "POST /v1/invoices/{id}/finalize", "POST /v1/invoices/{id}/send"],
            cluster.Stripe.RequestLog.Skip(before).Where(r => r.AccountId == account).Select(r => r.Route));
    }

    [Fact]
    public async Task Stripes_invoice_shows_each_tax_on_its_line_and_agrees_with_the_preview_and_the_tax_report_to_the_cent()
    {
        var (scenario, account) = await StartAsync(cluster, includeTaxes: true);

        var preview = await StripeBillingCluster.BillAsync(scenario, October, minutes: 12_345);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));
        var stripe = cluster.StripeClient(account);
        var read = await stripe.V1.Invoices.GetAsync(invoice.StripeInvoiceId!);

        // Through Stripe.net: total = Σ line amounts + Σ tax amounts = the preview's total; total_taxes = its tax total.
        Assert.Equal(Money.ToCents(preview.Total), read.Total);
        Assert.Equal(read.Total, read.Lines.Data.Sum(l => l.Amount) + read.Lines.Data.Sum(l => l.Taxes.Sum(t => t.Amount)));
        Assert.Equal(Money.ToCents(preview.TaxTotal), read.TotalTaxes.Sum(t => t.Amount));
        Assert.Equal(Money.ToCents(preview.Subtotal), read.Subtotal);
        Assert.Equal(preview.Lines.Select(l => Money.ToCents(l.Amount)), read.Lines.Data.Select(l => l.Amount));
        Assert.All(read.Lines.Data, l => Assert.False(l.Discountable));
        Assert.Equal("usd", read.Currency);
        Assert.Empty(read.Discounts);

        // Each invoice tax line is exactly the tax amounts its parts put on their lines.
        var rates = cluster.Stripe.TaxRates(account).ToDictionary(r => r.Id);
        var fakeInvoice = cluster.Stripe.FindInvoice(account, invoice.StripeInvoiceId!)!;
        foreach (var tax in preview.Taxes)
        {
            var inStripe = fakeInvoice.Lines.SelectMany(l => l.Taxes).Where(t => t.TaxRate.Description == tax.TaxCode && t.TaxRate.Jurisdiction == tax.JurisdictionCode).ToList();
            Assert.Equal(tax.Parts!.Select(p => Money.ToCents(p.TaxAmount)), inStripe.Select(t => t.Amount));
            Assert.All(inStripe, t => Assert.Equal((tax.Name, false, tax.Rate is null ? 0m : tax.Rate.Value * 100m), (t.TaxRate.DisplayName, t.TaxRate.Inclusive, t.TaxRate.Percentage)));
        }

        Assert.All(rates.Values, r => Assert.False(r.Active));   // archived by Stripe from tax_rate_data
        var report = Assert.Single(await cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, "2026-11")).ListTaxesAsync());
        Assert.Equal(preview.TaxTotal, report.Taxes.Sum(t => t.TaxAmount));
        Assert.Equal(read.TotalTaxes.Sum(t => t.Amount), Money.ToCents(report.Taxes.Sum(t => t.TaxAmount)));
    }

    [Fact]
    public async Task The_customer_carries_the_tenant_data_mapped_as_the_product_rules_say_and_follows_changes()
    {
        var (scenario, account) = await StartAsync(cluster);
        await StripeBillingCluster.BillAsync(scenario, October);
        await cluster.SettledAsync(scenario.InvoiceKey(October));

        var customer = Assert.Single(cluster.Stripe.Customers(account));
        Assert.Equal("Bob's Bakery", customer.Description);   // tenant name
        Assert.Equal("Bob Baker", customer.Name);             // contact name
        Assert.Equal("ap@bobs.example", customer.Email);      // billing email
        Assert.Equal("+15125550100", customer.Phone);         // tenant phone
        Assert.Equal(customer.Id, (await scenario.Tenant.GetAsync())!.StripeCustomerId);

        var details = (await scenario.Tenant.GetAsync())!.Details;
        await scenario.Tenant.SaveDetailsAsync(details with { BillingEmail = "billing@bobs.example" });
        await Eventually.TrueAsync(() => cluster.Stripe.FindCustomer(account, customer.Id)!.Email == "billing@bobs.example", TimeSpan.FromSeconds(10));
        Assert.Single(cluster.Stripe.Customers(account));
    }

    [Fact]
    public async Task Auto_charge_pays_with_the_saved_card()
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge: true);
        var customerId = await SavedCardAsync(cluster, scenario, account, FakeCard.Visa);

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(InvoiceStatus.Paid, invoice.Status);
        var paid = Assert.Single(cluster.Stripe.Invoices(account));
        Assert.Equal((customerId, "paid", "charge_automatically"), (paid.CustomerId, paid.Status, paid.CollectionMethod));
        Assert.Equal(paid.AmountDue, invoice.AmountPaidCents);   // Stripe charged the total less the customer's credit
    }

    [Fact]
    public async Task A_declined_card_leaves_the_invoice_open_and_recorded_as_payment_failed()
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge: true);
        await SavedCardAsync(cluster, scenario, account, FakeCard.Declined);

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(InvoiceStatus.PaymentFailed, invoice.Status);
        Assert.Contains("declined", invoice.FailureReason, StringComparison.OrdinalIgnoreCase);
        var open = Assert.Single(cluster.Stripe.Invoices(account));
        Assert.Equal(("open", 1L), (open.Status, open.AttemptCount));
    }

    [Fact]
    public async Task Auto_charge_without_a_saved_card_is_emailed_instead_and_says_why()
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge: true);

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.Contains("no saved card", invoice.Note, StringComparison.OrdinalIgnoreCase);
        var sent = Assert.Single(cluster.Stripe.Invoices(account));
        Assert.Equal(("send_invoice", 1), (sent.CollectionMethod, sent.SendCount));
    }

    [Theory]
    [InlineData(FaultKind.ServerErrorAfterWork, "/v1/invoices")]
    [InlineData(FaultKind.ServerErrorAfterWork, "/v1/invoices/*/add_lines")]
    [InlineData(FaultKind.ServerErrorAfterWork, "/v1/invoices/*/finalize")]
    [InlineData(FaultKind.TimeoutAfterWork, "/v1/invoices/*/add_lines")]
    [InlineData(FaultKind.DropConnectionAfterWork, "/v1/invoices")]
    [InlineData(FaultKind.ServerErrorBeforeWork, "/v1/invoices/*/send")]
    public async Task A_request_that_failed_after_or_before_its_work_is_retried_and_leaves_one_invoice(FaultKind fault, string path)
    {
        var (scenario, account) = await StartAsync(cluster);
        var injected = cluster.Stripe.InjectFault(new FaultRule(fault)
        {
            Method = "POST", Path = path, AccountId = account, Delay = StripeBillingCluster.RequestTimeout + TimeSpan.FromSeconds(1),
        });

        var preview = await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(1, injected.Fired);
        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        var only = Assert.Single(cluster.Stripe.Invoices(account));
        Assert.Equal(preview.Lines.Count, only.Lines.Count);
        Assert.Equal(Money.ToCents(preview.Total), only.Total);
        Assert.Equal(1, only.SendCount);
    }

    [Fact]
    public async Task A_429_from_stripe_is_waited_out_and_never_reaches_the_invoice()
    {
        var (scenario, account) = await StartAsync(cluster);
        cluster.Stripe.SetRateLimit(account, new RateLimit(2, 1));   // 2 a second, no burst: our 100/s setting will hit it

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.Null(invoice.FailureReason);
        Assert.True(cluster.Stripe.Counters.RateLimitedByAccount.GetValueOrDefault(account) > 0);
        Assert.Single(cluster.Stripe.Invoices(account));
    }

    [Fact]
    public async Task A_permanent_error_fails_the_invoice_with_stripes_message_and_a_retry_sends_it()
    {
        var key = $"sk_test_{Guid.NewGuid():N}";
        var (scenario, account) = await StartAsync(cluster, secretKey: key);
        await SavedCustomerAsync(cluster, scenario);
        cluster.Stripe.RevokeApiKey(key);

        await StripeBillingCluster.BillAsync(scenario, October);
        var failed = await cluster.SettledAsync(scenario.InvoiceKey(October));
        Assert.Equal(InvoiceStatus.Failed, failed.Status);
        Assert.False(string.IsNullOrWhiteSpace(failed.FailureReason));
        Assert.Empty(cluster.Stripe.Invoices(account));

        cluster.Stripe.RestoreApiKey(key);
        var retried = await cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October)).RetryAsync();
        Assert.Equal(InvoiceStatus.HandedOver, retried.Status);
        var sent = await cluster.SettledAsync(scenario.InvoiceKey(October));
        Assert.Equal(InvoiceStatus.Sent, sent.Status);
        Assert.Null(sent.FailureReason);
        Assert.Single(cluster.Stripe.Invoices(account));
    }

    [Fact]
    public async Task While_disconnected_an_invoice_is_held_without_a_stripe_call_and_a_reconnect_releases_it()
    {
        var key = $"sk_test_{Guid.NewGuid():N}";
        var (scenario, account) = await StartAsync(cluster, secretKey: key);
        var accountGrain = cluster.Grains.GetGrain<IAccountGrain>(scenario.AccountId);
        await accountGrain.DisconnectStripeAsync();
        var requestsBefore = cluster.Stripe.Counters.RequestsByAccount.GetValueOrDefault(account);

        await StripeBillingCluster.BillAsync(scenario, October);
        var invoiceGrain = cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October));
        await Eventually.TrueAsync(async () => (await invoiceGrain.GetSummaryAsync())!.Status == InvoiceStatus.Held, TimeSpan.FromSeconds(10));
        Assert.Equal(InvoiceStatus.Held, (await scenario.Tenant.ListInvoicesAsync()).Single().Status);
        Assert.Equal(requestsBefore, cluster.Stripe.Counters.RequestsByAccount.GetValueOrDefault(account));

        var connected = await accountGrain.ConnectStripeAsync(new StripeCredentials(null, key));
        Assert.Equal([scenario.InvoiceKey(October)], connected.HeldInvoiceKeys);
        await Task.WhenAll(connected.HeldInvoiceKeys.Select(k => cluster.Grains.GetGrain<IStripeInvoiceGrain>(k).ResumeAsync()));

        Assert.Equal(InvoiceStatus.Sent, (await cluster.SettledAsync(scenario.InvoiceKey(October))).Status);
        Assert.Single(cluster.Stripe.Invoices(account));
    }

    [Fact]
    public async Task Accounts_connected_through_connect_are_billed_in_their_own_stripe_account()
    {
        cluster.Clock.Set(Utc(2026, 10, 5));
        var (scenario, platformAccount) = await cluster.StartAsync();
        var connectAccount = $"acct_{Guid.NewGuid():N}"[..21];
        await cluster.Grains.GetGrain<IAccountGrain>(scenario.AccountId).ConnectStripeAsync(new StripeCredentials(connectAccount, null));
        cluster.Clock.Set(Utc(2026, 11, 21, 8));

        await StripeBillingCluster.BillAsync(scenario, October);
        await cluster.SettledAsync(scenario.InvoiceKey(October));

        Assert.Single(cluster.Stripe.Invoices(connectAccount));
        Assert.Empty(cluster.Stripe.Invoices(cluster.Stripe.PlatformAccountId(StripeBillingCluster.PlatformKey)));
        Assert.Empty(cluster.Stripe.Invoices(platformAccount));
    }

    [Theory]
    [InlineData(4.99, true)]
    [InlineData(0, true)]
    [InlineData(5.00, false)]
    [InlineData(250, false)]
    public async Task A_phantom_tenant_costs_the_account_one_fee_per_invoice(decimal usageTotal, bool charged)
    {
        var (scenario, _) = await StartAsync(cluster);

        await StripeBillingCluster.BillAsync(scenario, October, usageTotal: usageTotal);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));
        var invoiceGrain = cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October));
        await invoiceGrain.ResumeAsync();
        await scenario.FireReminderAsync();

        var fees = await cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, "2026-11")).ListFeesAsync();
        if (charged)
        {
            var fee = Assert.Single(fees);
            Assert.Equal((5.00m, scenario.InvoiceKey(October), invoice.StripeInvoiceId, usageTotal), (fee.Amount, fee.InvoiceKey, fee.StripeInvoiceId, fee.UsageTotal));
        }
        else
        {
            Assert.Empty(fees);
        }
    }

    [Fact]
    public async Task A_one_time_invoice_is_sent_at_once_and_the_same_request_never_sends_twice()
    {
        var (scenario, account) = await StartAsync(cluster);
        OneTimeItem[] items = [new(null, "Emergency support call", 1, 150m, TaxCategory.NonTaxable), new("local_numbers", null, 2, null, null)];

        var first = await scenario.Tenant.SendOneTimeInvoiceAsync("onboarding-1", items);
        var again = await scenario.Tenant.SendOneTimeInvoiceAsync("onboarding-1", items);
        var sent = await cluster.SettledAsync(first.InvoiceKey);

        Assert.Equal(first.InvoiceKey, again.InvoiceKey);
        Assert.Equal(InvoiceStatus.Sent, sent.Status);
        var invoice = Assert.Single(cluster.Stripe.Invoices(account));
        Assert.Equal(15_300, invoice.Total);   // 150.00 + 2 × 1.50
        var conflict = await Assert.ThrowsAsync<BillingProblemException>(() =>
            scenario.Tenant.SendOneTimeInvoiceAsync("onboarding-1", [new(null, "Something else", 1, 1m, TaxCategory.NonTaxable)]));
        Assert.Equal(ProblemKind.Conflict, conflict.Kind);

        // No statement yet: the phantom-fee basis is $0, so the account is charged the fee.
        var fees = await cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, "2026-11")).ListFeesAsync();
        Assert.Equal([first.InvoiceKey], fees.Select(f => f.InvoiceKey));
        Assert.Contains(await scenario.Tenant.ListInvoicesAsync(), i => i.InvoiceKey == first.InvoiceKey && i.Kind == InvoiceKind.OneTime);
    }

    [Fact]
    public async Task Webhook_events_are_recorded_once_and_a_void_takes_the_taxes_out_of_the_report()
    {
        var (scenario, account) = await StartAsync(cluster, includeTaxes: true);
        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));
        var grain = cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October));
        var ledger = cluster.Grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(scenario.AccountId, "2026-11"));
        Assert.False(Assert.Single(await ledger.ListTaxesAsync()).Voided);

        var paid = Event("evt_1", "invoice.paid", invoice, amountPaid: invoice.AmountDueCents!.Value);
        Assert.True(await grain.ApplyStripeEventAsync(paid));
        Assert.False(await grain.ApplyStripeEventAsync(paid));
        Assert.Equal(InvoiceStatus.Paid, (await grain.GetSummaryAsync())!.Status);

        Assert.True(await grain.ApplyStripeEventAsync(Event("evt_2", "invoice.payment_failed", invoice)));
        var afterLateFailure = (await grain.GetSummaryAsync())!;
        Assert.Equal(InvoiceStatus.Paid, afterLateFailure.Status);   // a late failure does not undo a payment
        Assert.Equal(invoice.AmountDueCents, afterLateFailure.AmountPaidCents);

        Assert.False(await grain.ApplyStripeEventAsync(Event("evt_3", "customer.updated", invoice)));
        Assert.False(await grain.ApplyStripeEventAsync(Event("evt_4", "invoice.voided", invoice) with { StripeInvoiceId = "in_someone_else" }));
        Assert.False(await grain.ApplyStripeEventAsync(Event("evt_6", "invoice.voided", invoice) with { StripeAccountId = "acct_not_this_accounts" }));

        Assert.True(await grain.ApplyStripeEventAsync(Event("evt_5", "invoice.voided", invoice)));
        Assert.Equal(InvoiceStatus.Void, (await grain.GetSummaryAsync())!.Status);
        Assert.True(Assert.Single(await ledger.ListTaxesAsync()).Voided);
        Assert.Single(cluster.Stripe.Invoices(account));
    }

    [Fact]
    public async Task Finalized_and_uncollectible_events_are_recorded_and_an_uncollectible_invoice_can_still_be_paid()
    {
        var (scenario, _) = await StartAsync(cluster);
        await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(scenario.InvoiceKey(October));
        var grain = cluster.Grains.GetGrain<IStripeInvoiceGrain>(scenario.InvoiceKey(October));

        Assert.True(await grain.ApplyStripeEventAsync(Event("evt_f", "invoice.finalized", invoice)));
        Assert.Equal(InvoiceStatus.Sent, (await grain.GetSummaryAsync())!.Status);
        Assert.True(await grain.ApplyStripeEventAsync(Event("evt_u", "invoice.marked_uncollectible", invoice)));
        Assert.Equal(InvoiceStatus.Uncollectible, (await grain.GetSummaryAsync())!.Status);
        Assert.True(await grain.ApplyStripeEventAsync(Event("evt_p", "invoice.paid", invoice, amountPaid: invoice.AmountDueCents!.Value)));
        var paid = (await grain.GetSummaryAsync())!;
        Assert.Equal((InvoiceStatus.Paid, invoice.AmountDueCents), (paid.Status, paid.AmountPaidCents));
    }

    private static StripeInvoiceEvent Event(string id, string type, InvoiceSummary invoice, long amountPaid = 0) =>
        new(id, type, invoice.StripeInvoiceId!, null, invoice.Number, invoice.AmountDueCents ?? 0, amountPaid, invoice.HostedInvoiceUrl, null, null);
}
