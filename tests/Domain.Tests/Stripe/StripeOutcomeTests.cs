using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Domain.Tests.Stripe;

/// <summary>What Stripe's answers mean for our invoice status, and which of several invoices carrying one key is ours.</summary>
public sealed class StripeOutcomeTests
{
    private static StripeInvoiceSnapshot Invoice(
        string status, long total = 1000, long due = 1000, long paid = 0, long? start = null, long? end = null, long attempts = 0, string id = "in_1", int lines = 1, int createdSecond = 0) =>
        new(id, status, null, total, due, paid, null, lines, "charge_automatically", true,
            Created: DateTimeOffset.UnixEpoch.AddSeconds(createdSecond), StartingBalance: start, EndingBalance: end, AttemptCount: attempts);

    [Theory]
    [InlineData("open", true)]
    [InlineData("paid", false)]
    [InlineData("void", false)]
    [InlineData("uncollectible", false)]
    public void Only_an_open_invoice_is_charged_after_finalizing(string status, bool charge) =>
        Assert.Equal(charge, StripeInvoiceOutcome.NeedsCharge(Invoice(status)));

    [Theory]
    [InlineData("paid", InvoiceStatus.Paid)]
    [InlineData("open", InvoiceStatus.Sent)]
    [InlineData("void", InvoiceStatus.Void)]
    [InlineData("uncollectible", InvoiceStatus.Uncollectible)]
    public void Stripes_status_after_delivery_maps_to_ours(string status, InvoiceStatus ours) =>
        Assert.Equal(ours, StripeInvoiceOutcome.AfterDelivery(Invoice(status)));

    [Theory]
    // status, total, paid, starting balance, ending balance → note
    [InlineData("paid", 120, 0, -100, 20, "Under Stripe's $0.50 minimum charge: Stripe marked it paid and carries $0.20 to the customer's next invoice.")]
    [InlineData("paid", 30, 0, 0, 30, "Under Stripe's $0.50 minimum charge: Stripe marked it paid and carries $0.30 to the customer's next invoice.")]
    [InlineData("paid", 10, 0, 30, 40, "Under Stripe's $0.50 minimum charge: Stripe marked it paid and carries $0.40 to the customer's next invoice.")]   // with what an earlier one carried
    [InlineData("paid", 80, 0, -100, -20, "Paid from the customer's credit balance in Stripe.")]
    [InlineData("paid", 1000, 1000, 0, 0, null)]     // charged: nothing to explain
    [InlineData("paid", 0, 0, 0, 0, null)]           // nothing to bill
    [InlineData("open", 30, 0, 0, 0, null)]
    public void A_paid_invoice_nobody_paid_says_why(string status, long total, long paid, long start, long end, string? note) =>
        Assert.Equal(note, StripeInvoiceOutcome.PaidWithoutCharge(Invoice(status, total, 0, paid, start, end)));

    [Theory]
    [InlineData("open", 1, 0, true)]       // a charge ran since and failed
    [InlineData("open", 1, 1, false)]      // no new attempt: ours never ran
    [InlineData("paid", 1, 0, false)]      // it ran and succeeded
    public void A_charge_whose_answer_was_lost_is_seen_in_the_attempt_count(string status, long attempts, long before, bool failed) =>
        Assert.Equal(failed, StripeInvoiceOutcome.ChargeFailedUnseen(Invoice(status, attempts: attempts), before));

    [Fact]
    public void The_recorded_invoice_is_kept_and_every_other_draft_is_a_stray()
    {
        var choice = InvoiceReconciliation.Choose("in_b", [Invoice("draft", id: "in_a"), Invoice("draft", id: "in_b", createdSecond: 1), Invoice("draft", id: "in_c", createdSecond: 2)]);

        Assert.Equal("in_b", choice.Keep!.Id);
        Assert.Equal(["in_a", "in_c"], choice.StrayDrafts.Select(i => i.Id));
    }

    [Fact]
    public void Without_a_record_a_finalized_invoice_wins_then_the_draft_furthest_along_then_the_oldest()
    {
        Assert.Equal("in_open", InvoiceReconciliation.Choose(null, [Invoice("draft", id: "in_d", lines: 3), Invoice("open", id: "in_open", createdSecond: 5)]).Keep!.Id);
        Assert.Equal("in_lines", InvoiceReconciliation.Choose(null, [Invoice("draft", id: "in_empty", lines: 0), Invoice("draft", id: "in_lines", lines: 2, createdSecond: 5)]).Keep!.Id);
        Assert.Equal("in_old", InvoiceReconciliation.Choose(null, [Invoice("draft", id: "in_new", lines: 0, createdSecond: 9), Invoice("draft", id: "in_old", lines: 0, createdSecond: 1)]).Keep!.Id);
    }

    [Fact]
    public void Void_invoices_are_never_chosen_and_finalized_others_are_left_alone()
    {
        var choice = InvoiceReconciliation.Choose(null, [Invoice("void", id: "in_v"), Invoice("open", id: "in_1"), Invoice("paid", id: "in_2", createdSecond: 3), Invoice("draft", id: "in_3")]);

        Assert.Equal("in_1", choice.Keep!.Id);
        Assert.Equal(["in_3"], choice.StrayDrafts.Select(i => i.Id));
        Assert.Equal(["in_2"], choice.OtherFinalized.Select(i => i.Id));
        Assert.Null(InvoiceReconciliation.Choose(null, [Invoice("void")]).Keep);
    }
}
