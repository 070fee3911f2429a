using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Invoices;

namespace TenantBilling.Domain.Tests.Invoices;

/// <summary>What each webhook event does to an invoice in each status: out of order and repeated events never undo a payment or a void.</summary>
public sealed class InvoiceWebhooksTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("invoice.paid", InvoiceStatus.Sent, InvoiceStatus.Paid)]
    [InlineData("invoice.paid", InvoiceStatus.PaymentFailed, InvoiceStatus.Paid)]
    [InlineData("invoice.paid", InvoiceStatus.Uncollectible, InvoiceStatus.Paid)]
    [InlineData("invoice.paid", InvoiceStatus.Void, InvoiceStatus.Void)]
    [InlineData("invoice.payment_failed", InvoiceStatus.Sent, InvoiceStatus.PaymentFailed)]
    [InlineData("invoice.payment_failed", InvoiceStatus.Paid, InvoiceStatus.Paid)]
    [InlineData("invoice.payment_failed", InvoiceStatus.Void, InvoiceStatus.Void)]
    [InlineData("invoice.voided", InvoiceStatus.Sent, InvoiceStatus.Void)]
    [InlineData("invoice.voided", InvoiceStatus.Paid, InvoiceStatus.Void)]
    [InlineData("invoice.marked_uncollectible", InvoiceStatus.Sent, InvoiceStatus.Uncollectible)]
    [InlineData("invoice.marked_uncollectible", InvoiceStatus.Paid, InvoiceStatus.Paid)]
    [InlineData("invoice.finalized", InvoiceStatus.HandedOver, InvoiceStatus.HandedOver)]
    [InlineData("invoice.finalized", InvoiceStatus.Sent, InvoiceStatus.Sent)]
    public void Each_event_type_moves_each_status(string type, InvoiceStatus current, InvoiceStatus expected) =>
        Assert.Equal(expected, InvoiceWebhooks.StatusAfter(type, current));

    [Theory]
    [InlineData("invoice.created")]
    [InlineData("customer.updated")]
    public void Other_event_types_are_not_ours_to_act_on(string type) =>
        Assert.Null(InvoiceWebhooks.StatusAfter(type, InvoiceStatus.Sent));

    [Theory]
    [InlineData("connect:acct_1", "acct_1", true)]
    [InlineData("connect:acct_1", "acct_2", false)]
    [InlineData("connect:acct_1", null, false)]
    [InlineData("key:k_1", null, true)]
    [InlineData("key:k_1", "acct_1", false)]
    public void An_event_applies_only_from_the_Stripe_the_invoice_lives_in(string identity, string? eventAccount, bool applies)
    {
        var invoice = Sent(identity);

        Assert.Equal(applies, InvoiceWebhooks.Apply(invoice, Event("evt_1", "invoice.paid", eventAccount, paid: 2000), Now).Applied);
        Assert.Equal(applies ? InvoiceStatus.Paid : InvoiceStatus.Sent, invoice.Status);
    }

    [Fact]
    public void An_event_for_another_Stripe_invoice_or_delivered_twice_changes_nothing()
    {
        var invoice = Sent("connect:acct_1");

        Assert.False(InvoiceWebhooks.Apply(invoice, Event("evt_1", "invoice.paid", "acct_1", paid: 2000) with { StripeInvoiceId = "in_other" }, Now).Applied);
        Assert.True(InvoiceWebhooks.Apply(invoice, Event("evt_2", "invoice.payment_failed", "acct_1", failure: "Your card was declined."), Now).Applied);
        Assert.False(InvoiceWebhooks.Apply(invoice, Event("evt_2", "invoice.payment_failed", "acct_1"), Now).Applied);
        Assert.Equal((InvoiceStatus.PaymentFailed, "Your card was declined."), (invoice.Status, invoice.FailureReason));
    }

    [Fact]
    public void The_amount_paid_only_grows_and_a_void_takes_the_taxes_out_once()
    {
        var invoice = Sent("connect:acct_1");

        InvoiceWebhooks.Apply(invoice, Event("evt_1", "invoice.paid", "acct_1", paid: 2000), Now);
        InvoiceWebhooks.Apply(invoice, Event("evt_2", "invoice.payment_failed", "acct_1", paid: 0), Now);
        var voided = InvoiceWebhooks.Apply(invoice, Event("evt_3", "invoice.voided", "acct_1", paid: 0), Now);
        var voidedAgain = InvoiceWebhooks.Apply(invoice, Event("evt_4", "invoice.voided", "acct_1", paid: 0), Now);

        Assert.Equal((InvoiceStatus.Void, 2000L), (invoice.Status, invoice.AmountPaidCents));
        Assert.Equal((true, false), (voided.VoidTaxes, voidedAgain.VoidTaxes));
    }

    [Fact]
    public void Only_the_most_recent_event_ids_are_kept()
    {
        var invoice = Sent("connect:acct_1");
        for (var i = 0; i < InvoiceLifecycle.EventIdsKept + 5; i++)
        {
            InvoiceWebhooks.Apply(invoice, Event($"evt_{i}", "invoice.finalized", "acct_1"), Now);
        }

        Assert.Equal(InvoiceLifecycle.EventIdsKept, invoice.AppliedEventIds.Count);
        Assert.DoesNotContain("evt_0", invoice.AppliedEventIds);
    }

    private static InvoiceState Sent(string identity)
    {
        var invoice = new InvoiceState();
        InvoiceLifecycle.Accept(invoice, InvoiceLifecycleTests.Draft(), "acct/t1/2026-10", Now);
        invoice.Status = InvoiceStatus.Sent;
        invoice.Step = InvoiceStep.Delivered;
        invoice.StripeInvoiceId = "in_1";
        invoice.StripeIdentity = identity;
        return invoice;
    }

    private static StripeInvoiceEvent Event(string id, string type, string? account, long paid = 0, string? failure = null) =>
        new(id, type, "in_1", null, "A-0001", 2000, paid, null, account, failure);
}
