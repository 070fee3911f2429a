using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Invoices;

namespace TenantBilling.Domain.Tests.Invoices;

/// <summary>
/// The send's read-back as rules: a send that may have gone out is marked before it goes; after any failure but a
/// 429, and in any activation that loaded the mark, Stripe's <c>invoice.sent</c> events are looked through before
/// another send; found, the invoice is delivered and never sent again; not found, it is sent (a new key after a 5xx).
/// A lost charge needs no events: the invoice read back shows it.
/// </summary>
public sealed class SendReadBackTests
{
    private const string Key = "acct/t1/2026-10";
    private const string Identity = "connect:acct_1";
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset StripeFinalized = new(2024, 3, 4, 5, 6, 7, TimeSpan.Zero);   // Stripe's clock, far from the billing clock

    /// <summary>Final in Stripe, its fee and taxes in the ledger: the next request is the send or the charge.</summary>
    private static InvoiceState Final(bool autoCharge = false)
    {
        var invoice = new InvoiceState();
        InvoiceLifecycle.Accept(invoice, InvoiceLifecycleTests.Draft(autoCharge), Key, Now);
        (invoice.Step, invoice.StripeIdentity, invoice.CustomerId, invoice.StripeInvoiceId) = (InvoiceStep.Finalized, Identity, "cus_1", "in_1");
        (invoice.CollectionMethod, invoice.CollectionChecked, invoice.CustomerHasSavedCard) = (autoCharge ? InvoiceLifecycle.ChargeAutomatically : InvoiceLifecycle.SendInvoice, true, autoCharge);
        (invoice.StripeTotalCents, invoice.AmountDueCents, invoice.StripeStatus, invoice.StripeFinalizedAt) = (2000, 2000, "open", StripeFinalized);
        invoice.LedgerRecorded = true;
        return invoice;
    }

    private static StripeInvoiceSnapshot Read(string status = "open", long paid = 0, long attempts = 0, string collection = InvoiceLifecycle.SendInvoice) =>
        new("in_1", status, "A-0001", 2000, 2000 - paid, paid, "https://pay/in_1", 1, collection, null, AttemptCount: attempts, FinalizedAt: StripeFinalized);

    /// <summary>The send goes out with its mark, fails with <paramref name="kind"/>, and Stripe is read back if the outcome is unknown.</summary>
    private static (InvoiceState Invoice, InvoiceRun Run, string FirstKey) SendFails(StripeFailureKind kind)
    {
        var invoice = Final();
        var run = InvoiceRun.HandedOver();
        Assert.Equal(InvoiceAction.Send, InvoiceLifecycle.Next(invoice, run, Identity));
        InvoiceLifecycle.SendSending(invoice, Now);   // the record is written with the mark before the request
        Assert.Equal(Now, invoice.SendRequestedAt);
        var firstKey = InvoiceKeys.Send(Key, invoice);
        InvoiceLifecycle.SendFailed(run, kind);
        Assert.Equal(FailureOutcome.Retry, InvoiceLifecycle.Failed(invoice, run, kind, "lost", Now));
        if (run.StripeMayBeAhead)
        {
            Assert.Equal(InvoiceAction.ReadInvoice, InvoiceLifecycle.Next(invoice, run, Identity));
            InvoiceLifecycle.Reconciled(invoice, run, Read(), Identity, Now);   // a Stripe invoice does not show whether it was e-mailed
        }

        return (invoice, run, firstKey);
    }

    public static TheoryData<string, StripeFailureKind, InvoiceAction, bool> AfterAFailedSend() => new()
    {
        { "a 5xx after the work: the key replays the 5xx", StripeFailureKind.ServerError, InvoiceAction.FindSent, true },
        { "no answer (timeout, dropped connection)", StripeFailureKind.Unknown, InvoiceAction.FindSent, false },
        { "409: the same key is still at work in Stripe", StripeFailureKind.KeyInUse, InvoiceAction.FindSent, false },
        { "429: Stripe did nothing", StripeFailureKind.RateLimited, InvoiceAction.Send, false },
    };

    [Theory]
    [MemberData(nameof(AfterAFailedSend))]
    public void After_a_failed_send_the_events_are_looked_through_unless_it_was_a_429(string because, StripeFailureKind kind, InvoiceAction expected, bool newKey)
    {
        var (invoice, run, firstKey) = SendFails(kind);

        Assert.True(expected == InvoiceLifecycle.Next(invoice, run, Identity), because);
        Assert.True(newKey == (InvoiceKeys.Send(Key, invoice) != firstKey), because);
        Assert.Equal(expected == InvoiceAction.FindSent, InvoiceLifecycle.PlannedRequests(invoice, run, customerCall: false).Contains(StripeEndpoints.ListEvents));
    }

    [Theory]
    [InlineData(StripeFailureKind.ServerError)]
    [InlineData(StripeFailureKind.Unknown)]
    public void A_send_found_among_the_events_is_delivered_and_never_sent_again(StripeFailureKind kind)
    {
        var (invoice, run, _) = SendFails(kind);
        Assert.Equal(InvoiceAction.FindSent, InvoiceLifecycle.Next(invoice, run, Identity));

        InvoiceLifecycle.SentLookedUp(invoice, run, found: true);

        Assert.Equal((InvoiceStep.Delivered, InvoiceStatus.Sent), (invoice.Step, invoice.Status));
        Assert.Equal(("A-0001", "https://pay/in_1"), (invoice.Number, invoice.HostedInvoiceUrl));
        Assert.Null(invoice.FailureReason);   // the lost answer's reason goes with it
        Assert.Equal(InvoiceAction.Done, InvoiceLifecycle.Next(invoice, run, Identity));
    }

    [Fact]
    public void A_send_not_found_goes_out_once_more_under_a_new_key_after_a_5xx_and_is_looked_up_again_if_that_fails_too()
    {
        var (invoice, run, firstKey) = SendFails(StripeFailureKind.ServerError);

        InvoiceLifecycle.SentLookedUp(invoice, run, found: false);
        Assert.Equal(InvoiceAction.Send, InvoiceLifecycle.Next(invoice, run, Identity));
        Assert.NotEqual(firstKey, InvoiceKeys.Send(Key, invoice));
        InvoiceLifecycle.SendSending(invoice, Now.AddMinutes(1));   // each send renews the mark (its write decides which activation sends)
        Assert.Equal(Now.AddMinutes(1), invoice.SendRequestedAt);

        InvoiceLifecycle.SendFailed(run, StripeFailureKind.Unknown);
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.Unknown, "lost again", Now);
        InvoiceLifecycle.Reconciled(invoice, run, Read(), Identity, Now);
        Assert.Equal(InvoiceAction.FindSent, InvoiceLifecycle.Next(invoice, run, Identity));
    }

    [Theory]
    [InlineData(true, InvoiceAction.FindSent)]    // stopped after the send went out (or may have): its answer was never recorded
    [InlineData(false, InvoiceAction.Send)]       // stopped before any send: nothing to look for
    public void An_activation_that_loaded_the_record_reads_the_invoice_then_looks_for_the_send_only_if_one_was_marked(bool marked, InvoiceAction expected)
    {
        var invoice = Final();
        if (marked)
        {
            InvoiceLifecycle.SendSending(invoice, Now);
        }

        InvoiceLifecycle.BeforeWrite(invoice);
        var run = InvoiceRun.Resumed(invoice);

        Assert.Equal(InvoiceAction.ReadInvoice, InvoiceLifecycle.Next(invoice, run, Identity));
        InvoiceLifecycle.Reconciled(invoice, run, Read(), Identity, Now);
        Assert.Equal(expected, InvoiceLifecycle.Next(invoice, run, Identity));
        Assert.Equal(marked, InvoiceLifecycle.PlannedRequests(invoice, run, customerCall: false).Contains(StripeEndpoints.ListEvents));
    }

    [Fact]
    public void The_look_up_starts_at_stripes_finalization_time_read_from_the_finalize_answer_and_kept_by_later_reads()
    {
        var invoice = Final();
        invoice.StripeFinalizedAt = null;
        invoice.Step = InvoiceStep.LinesAdded;

        InvoiceLifecycle.Finalized(invoice, Read(), Now);
        Assert.Equal(StripeFinalized, invoice.StripeFinalizedAt);
        InvoiceLifecycle.Reconciled(invoice, InvoiceRun.HandedOver(), Read() with { FinalizedAt = null }, Identity, Now);
        Assert.Equal(StripeFinalized, invoice.StripeFinalizedAt);
        Assert.Equal(StripeFinalized, InvoiceLifecycle.Snapshot(invoice).FinalizedAt);
    }

    public static TheoryData<string, StripeInvoiceSnapshot, InvoiceAction, InvoiceStatus?> AfterALostCharge() => new()
    {
        { "the charge went through: paid, never charged again", Read("paid", paid: 2000, attempts: 1, collection: InvoiceLifecycle.ChargeAutomatically), InvoiceAction.Done, InvoiceStatus.Paid },
        { "the charge ran and was declined: a payment failure, not charged again", Read(attempts: 1, collection: InvoiceLifecycle.ChargeAutomatically), InvoiceAction.Done, InvoiceStatus.PaymentFailed },
        { "the charge did not run: charged now", Read(attempts: 0, collection: InvoiceLifecycle.ChargeAutomatically), InvoiceAction.Pay, null },
    };

    [Theory]
    [MemberData(nameof(AfterALostCharge))]
    public void A_charge_whose_answer_was_lost_is_decided_by_the_invoice_read_back_without_events(string because, StripeInvoiceSnapshot readBack, InvoiceAction expected, InvoiceStatus? status)
    {
        foreach (var kind in new[] { StripeFailureKind.ServerError, StripeFailureKind.Unknown })
        {
            var invoice = Final(autoCharge: true);
            var run = InvoiceRun.HandedOver();
            Assert.Equal(InvoiceAction.Pay, InvoiceLifecycle.Next(invoice, run, Identity));
            InvoiceLifecycle.Failed(invoice, run, kind, "lost", Now);
            Assert.Equal(InvoiceAction.ReadInvoice, InvoiceLifecycle.Next(invoice, run, Identity));

            InvoiceLifecycle.Reconciled(invoice, run, readBack, Identity, Now);

            Assert.True(expected == InvoiceLifecycle.Next(invoice, run, Identity), because);
            Assert.Null(invoice.SendRequestedAt);
            if (status is { } settled)
            {
                Assert.True(settled == invoice.Status, because);
            }
        }
    }
}
