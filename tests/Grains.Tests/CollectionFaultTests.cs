using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using TenantBilling.StripeSandbox;
using static TenantBilling.Grains.Tests.Support.StripeSteps;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// How an invoice is collected when Stripe fails: the switch of an auto-charge invoice without a saved card
/// to email collection, and the charge itself — failed before its work, or its answer lost or late — and
/// the retry of a declined one. A card is never charged twice for one charge: the fake's charge attempts
/// (<c>attempt_count</c>) are counted.
/// </summary>
[Collection(StripeClusterTests.Name)]
public sealed class CollectionFaultTests(OneSiloStripeCluster cluster)
{
    public static TheoryData<FaultKind> Faults =>
    [
        FaultKind.ServerErrorBeforeWork,
        FaultKind.ServerErrorAfterWork,
        FaultKind.TimeoutBeforeWork,
        FaultKind.TimeoutAfterWork,
        FaultKind.DropConnectionBeforeWork,
        FaultKind.DropConnectionAfterWork,
    ];

    public static TheoryData<FaultKind> LostAnswers =>
    [
        FaultKind.ServerErrorAfterWork,
        FaultKind.TimeoutAfterWork,
        FaultKind.DropConnectionAfterWork,
    ];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task The_switch_to_email_collection_that_failed_or_lost_its_answer_still_emails_the_invoice_once(FaultKind fault)
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge: true);
        var customerId = await SavedCustomerAsync(cluster, scenario);   // no card saved on it
        var invoiceKey = scenario.InvoiceKey(October);
        var switchToEmail = Inject(cluster, account, fault, "/v1/invoices/*");

        var preview = await StripeBillingCluster.BillAsync(scenario, October);
        var invoice = await cluster.SettledAsync(invoiceKey);

        Assert.Equal(1, switchToEmail.Fired);
        Assert.Equal(InvoiceStatus.Sent, invoice.Status);
        Assert.Contains("no saved card", invoice.Note, StringComparison.OrdinalIgnoreCase);
        var sent = Only(cluster, account, invoiceKey);
        Assert.Equal((customerId, "open", "send_invoice", 1), (sent.CustomerId, sent.Status, sent.CollectionMethod, sent.SendCount));
        Assert.NotNull(sent.DueDate);                                // 30 days to pay, from the account's settings
        Assert.Equal(preview.Lines.Count, sent.Lines.Count);
        Assert.Equal(0, sent.AttemptCount);
        NoInvalidRequests(cluster, account);
    }

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_charge_that_failed_or_lost_its_answer_pays_the_invoice_with_one_charge(FaultKind fault)
    {
        var (account, invoiceKey, pay, invoice) = await ChargedAsync(FakeCard.Visa, fault);

        Assert.Equal(1, pay.Fired);
        Assert.Equal(InvoiceStatus.Paid, invoice.Status);
        var paid = Only(cluster, account, invoiceKey);
        Assert.Equal(("paid", "charge_automatically", 1L), (paid.Status, paid.CollectionMethod, paid.AttemptCount));   // charged once
        Assert.Equal(paid.AmountDue, paid.AmountPaid);
        Assert.Equal(paid.AmountPaid, invoice.AmountPaidCents);
        NoInvalidRequests(cluster, account);
    }

    [Theory]
    [MemberData(nameof(LostAnswers))]
    public async Task A_declined_charge_whose_answer_was_lost_is_recorded_as_payment_failed_without_charging_again(FaultKind fault)
    {
        var (account, invoiceKey, pay, invoice) = await ChargedAsync(FakeCard.Declined, fault);
        await cluster.Grains.GetGrain<IStripeInvoiceGrain>(invoiceKey).ResumeAsync();   // a later run charges nothing either

        Assert.Equal(1, pay.Fired);
        Assert.Equal(InvoiceStatus.PaymentFailed, invoice.Status);
        Assert.False(string.IsNullOrWhiteSpace(invoice.FailureReason));
        var open = Only(cluster, account, invoiceKey);
        Assert.Equal(("open", 1L, 0L), (open.Status, open.AttemptCount, open.AmountPaid));   // the card was tried once
    }

    [Fact]
    public async Task A_payment_failed_invoice_retried_charges_once_per_retry_and_is_paid_once_a_good_card_is_saved()
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge: true);
        var customerId = await SavedCardAsync(cluster, scenario, account, FakeCard.Declined);
        var invoiceKey = scenario.InvoiceKey(October);
        var grain = cluster.Grains.GetGrain<IStripeInvoiceGrain>(invoiceKey);
        await StripeBillingCluster.BillAsync(scenario, October);
        Assert.Equal(InvoiceStatus.PaymentFailed, (await cluster.SettledAsync(invoiceKey)).Status);
        Assert.Equal(1L, Only(cluster, account, invoiceKey).AttemptCount);

        // The card is still declined: the retry charges it once more and records the failure again.
        Assert.Equal(InvoiceStatus.HandedOver, (await grain.RetryAsync()).Status);
        var again = await cluster.SettledAsync(invoiceKey);
        Assert.Equal(InvoiceStatus.PaymentFailed, again.Status);
        Assert.Contains("declined", again.FailureReason, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(2L, Only(cluster, account, invoiceKey).AttemptCount);

        // The tenant saves a good card; the next retry's answer is lost, and the invoice is paid with one more charge.
        cluster.Stripe.AttachCard(account, customerId, FakeCard.Visa);
        var lost = Inject(cluster, account, FaultKind.TimeoutAfterWork, "/v1/invoices/*/pay");
        await grain.RetryAsync();
        var paid = await cluster.SettledAsync(invoiceKey);

        Assert.Equal((InvoiceStatus.Paid, null, 1), (paid.Status, paid.FailureReason, lost.Fired));
        Assert.Null(paid.FailureReason);
        var inStripe = Only(cluster, account, invoiceKey);
        Assert.Equal(("paid", 3L), (inStripe.Status, inStripe.AttemptCount));
        Assert.Equal(inStripe.AmountDue, inStripe.AmountPaid);
        var conflict = await Assert.ThrowsAsync<BillingProblemException>(grain.RetryAsync);
        Assert.Equal(ProblemKind.Conflict, conflict.Kind);
        Assert.Equal(3L, Only(cluster, account, invoiceKey).AttemptCount);
        NoInvalidRequests(cluster, account);
    }

    /// <summary>An auto-charge tenant with <paramref name="card"/> saved, October billed while the charge meets <paramref name="fault"/>, and settled.</summary>
    private async Task<(string StripeAccount, string InvoiceKey, FaultHandle Pay, InvoiceSummary Invoice)> ChargedAsync(FakeCard card, FaultKind fault)
    {
        var (scenario, account) = await StartAsync(cluster, autoCharge: true);
        await SavedCardAsync(cluster, scenario, account, card);
        var invoiceKey = scenario.InvoiceKey(October);
        var pay = Inject(cluster, account, fault, "/v1/invoices/*/pay");

        await StripeBillingCluster.BillAsync(scenario, October);
        return (account, invoiceKey, pay, await cluster.SettledAsync(invoiceKey));
    }
}
