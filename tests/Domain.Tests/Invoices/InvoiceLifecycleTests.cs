using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Invoices;

namespace TenantBilling.Domain.Tests.Invoices;

/// <summary>The invoice's way through Stripe as rules: the next action from each state, each answer's transition, each failure kind, a retry.</summary>
public sealed class InvoiceLifecycleTests
{
    private const string Key = "acct/t1/2026-10";
    private const string Identity = "connect:acct_1";
    private static readonly DateTimeOffset Now = new(2026, 11, 21, 8, 0, 0, TimeSpan.Zero);

    public static InvoiceDraft Draft(bool autoCharge = false, decimal total = 20m, bool taxed = false, int lines = 1) => new(
        Key, "acct", "t1", InvoiceKind.Monthly, "2026-10", "Usage", Now,
        [.. Enumerable.Range(1, lines).Select(i => new InvoiceLine($"l{i}", "Outbound minutes", "minutes_outbound", 1000, 0.02m, total / lines, TaxCategory.VoipUsage))],
        [], total, 0m, total, autoCharge, IncludeTaxes: false, UsageTotal: 42.10m, SourceStatement: null,
        TaxJurisdiction: taxed ? new Jurisdiction("TX", "Travis", "48453", "Austin") : null);

    /// <summary>An invoice handed over and taken as far as <paramref name="step"/> in this activation.</summary>
    private static InvoiceState At(InvoiceStep step, bool autoCharge = false, string collection = InvoiceLifecycle.SendInvoice, bool taxed = false)
    {
        var invoice = new InvoiceState();
        InvoiceLifecycle.Accept(invoice, Draft(autoCharge, taxed: taxed), Key, Now);
        invoice.Step = step;
        invoice.StripeIdentity = step >= InvoiceStep.Created ? Identity : null;
        invoice.CustomerId = step >= InvoiceStep.CustomerReady ? "cus_1" : null;
        invoice.StripeInvoiceId = step >= InvoiceStep.Created ? "in_1" : null;
        invoice.CollectionMethod = step >= InvoiceStep.Created ? collection : null;
        invoice.CollectionChecked = step >= InvoiceStep.LinesAdded;
        invoice.StripeTotalCents = step >= InvoiceStep.LinesAdded ? 2000 : null;
        invoice.StripeStatus = step >= InvoiceStep.Finalized ? "open" : "draft";
        invoice.LedgerRecorded = step >= InvoiceStep.Delivered;
        return invoice;
    }

    private static StripeInvoiceSnapshot Stripe(string status, long total = 2000, long paid = 0, int lines = 1, string collection = InvoiceLifecycle.SendInvoice, long attempts = 0, bool? card = null) =>
        new("in_1", status, status == "draft" ? null : "A-0001", total, total - paid, paid, null, lines, collection, card, AttemptCount: attempts);

    public static TheoryData<string, InvoiceStep, InvoiceAction> NextActions() => new()
    {
        { "handed over", InvoiceStep.Accepted, InvoiceAction.EnsureCustomer },
        { "customer ready", InvoiceStep.CustomerReady, InvoiceAction.CreateInvoice },
        { "created", InvoiceStep.Created, InvoiceAction.AddLines },
        { "lines added", InvoiceStep.LinesAdded, InvoiceAction.Finalize },
        { "finalized, fee and taxes not yet in the ledger", InvoiceStep.Finalized, InvoiceAction.RecordInLedger },
        { "delivered", InvoiceStep.Delivered, InvoiceAction.Done },
    };

    [Theory]
    [MemberData(nameof(NextActions))]
    public void Each_step_names_the_next_action_when_this_activation_saw_every_step(string because, InvoiceStep step, InvoiceAction expected)
    {
        var invoice = At(step);
        if (step == InvoiceStep.Delivered)
        {
            invoice.Status = InvoiceStatus.Sent;
        }

        Assert.True(expected == InvoiceLifecycle.Next(invoice, InvoiceRun.HandedOver(), Identity), because);
    }

    [Theory]
    [InlineData(InvoiceLifecycle.SendInvoice, "open", InvoiceAction.Send)]
    [InlineData(InvoiceLifecycle.ChargeAutomatically, "open", InvoiceAction.Pay)]
    [InlineData(InvoiceLifecycle.ChargeAutomatically, "paid", InvoiceAction.Done)]   // paid at finalization (credit, minimum charge): never charged
    public void A_final_invoice_in_the_ledger_is_sent_charged_or_left_as_Stripe_settled_it(string collection, string stripeStatus, InvoiceAction expected)
    {
        var invoice = At(InvoiceStep.Finalized, autoCharge: collection == InvoiceLifecycle.ChargeAutomatically, collection: collection);
        invoice.LedgerRecorded = true;
        invoice.StripeStatus = stripeStatus;

        Assert.Equal(expected, InvoiceLifecycle.Next(invoice, InvoiceRun.HandedOver(), Identity));
        if (expected == InvoiceAction.Done)
        {
            Assert.Equal((InvoiceStep.Delivered, InvoiceStatus.Paid), (invoice.Step, invoice.Status));
        }
    }

    [Fact]
    public void A_sent_invoice_with_a_jurisdiction_commits_its_taxes_once()
    {
        var invoice = At(InvoiceStep.Delivered, taxed: true);
        invoice.Status = InvoiceStatus.Sent;

        Assert.Equal(InvoiceAction.CommitTaxes, InvoiceLifecycle.Next(invoice, InvoiceRun.HandedOver(), Identity));
        InvoiceLifecycle.TaxesCommitted(invoice);
        Assert.Equal(InvoiceAction.Done, InvoiceLifecycle.Next(invoice, InvoiceRun.HandedOver(), Identity));
    }

    [Theory]
    [InlineData(InvoiceStep.Accepted, false, InvoiceAction.EnsureCustomer)]     // nothing to list before the customer
    [InlineData(InvoiceStep.CustomerReady, false, InvoiceAction.ListInvoices)]  // a create may have made one: listed by key
    [InlineData(InvoiceStep.Created, true, InvoiceAction.ReadInvoice)]
    [InlineData(InvoiceStep.LinesAdded, true, InvoiceAction.ReadInvoice)]
    [InlineData(InvoiceStep.Finalized, true, InvoiceAction.ReadInvoice)]
    public void An_activation_that_did_not_see_the_last_steps_reads_Stripe_first(InvoiceStep step, bool hasStripeId, InvoiceAction expected)
    {
        var invoice = At(step);
        Assert.Equal(hasStripeId, invoice.StripeInvoiceId is not null);

        Assert.Equal(expected, InvoiceLifecycle.Next(invoice, InvoiceRun.Resumed(invoice), Identity));
    }

    [Fact]
    public void A_create_sent_in_this_round_is_never_sent_again_before_listing()
    {
        var invoice = At(InvoiceStep.CustomerReady);
        var run = InvoiceRun.HandedOver();
        InvoiceLifecycle.CreateSending(invoice, Now);
        run.ListedSinceLastCreate = false;

        Assert.Equal(InvoiceAction.ListInvoices, InvoiceLifecycle.Next(invoice, run, Identity));
        InvoiceLifecycle.Listed(invoice, run, null, Identity, Now);
        Assert.Equal(InvoiceAction.CreateInvoice, InvoiceLifecycle.Next(invoice, run, Identity));
    }

    [Theory]
    [InlineData(InvoiceStep.CustomerReady, InvoiceAction.StartOver)]
    [InlineData(InvoiceStep.LinesAdded, InvoiceAction.StartOver)]
    [InlineData(InvoiceStep.Finalized, InvoiceAction.FailInOtherStripe)]
    public void Another_Stripe_connected_starts_an_unfinal_invoice_over_and_fails_a_final_one(InvoiceStep step, InvoiceAction expected)
    {
        var invoice = At(step);
        invoice.StripeIdentity = Identity;

        Assert.Equal(expected, InvoiceLifecycle.Next(invoice, InvoiceRun.HandedOver(), "key:other"));
        if (expected == InvoiceAction.StartOver)
        {
            var round = invoice.RetryRound;
            InvoiceLifecycle.StartOver(invoice, InvoiceRun.HandedOver());
            Assert.Equal((InvoiceStep.Accepted, (string?)null, (string?)null, round + 1), (invoice.Step, invoice.StripeInvoiceId, invoice.CustomerId, invoice.RetryRound));
        }
    }

    [Fact]
    public void An_auto_charge_draft_whose_customer_has_no_card_is_switched_to_email_and_says_why()
    {
        var invoice = At(InvoiceStep.Created, autoCharge: true, collection: InvoiceLifecycle.ChargeAutomatically);
        invoice.CollectionChecked = false;
        invoice.CustomerHasSavedCard = false;

        Assert.Equal(InvoiceAction.SwitchToEmail, InvoiceLifecycle.Next(invoice, InvoiceRun.HandedOver(), Identity));
        InvoiceLifecycle.SwitchedToEmail(invoice, Stripe("draft", lines: 0));
        Assert.Equal(InvoiceAction.AddLines, InvoiceLifecycle.Next(invoice, InvoiceRun.HandedOver(), Identity));
        Assert.Equal(InvoiceLifecycle.NoSavedCardNote, invoice.Note);
    }

    [Theory]
    [InlineData(true, InvoiceLifecycle.ChargeAutomatically, false)]
    [InlineData(false, InvoiceLifecycle.SendInvoice, false)]
    [InlineData(null, InvoiceLifecycle.ChargeAutomatically, true)]
    public void An_auto_charge_invoice_is_created_as_the_customers_card_allows(bool? hasCard, string collection, bool readCustomer)
    {
        var invoice = At(InvoiceStep.CustomerReady, autoCharge: true);
        var run = InvoiceRun.HandedOver();
        run.CustomerHasSavedCard = hasCard;

        Assert.Equal((collection, readCustomer), InvoiceLifecycle.CollectionAtCreate(invoice, run));
    }

    [Fact]
    public void A_draft_Stripe_totals_differently_is_discarded_and_the_invoice_fails_with_both_totals()
    {
        var invoice = At(InvoiceStep.LinesAdded);
        invoice.StripeTotalCents = 2165;

        Assert.Equal(InvoiceAction.DiscardDraft, InvoiceLifecycle.Next(invoice, InvoiceRun.HandedOver(), Identity));
        var reason = InvoiceLifecycle.DraftDiscarded(invoice, 2165);
        Assert.Contains("21.65", reason, StringComparison.Ordinal);
        Assert.Contains("20.00", reason, StringComparison.Ordinal);
        Assert.Equal((InvoiceStep.CustomerReady, (string?)null), (invoice.Step, invoice.StripeInvoiceId));
    }

    [Fact]
    public void A_create_with_an_unknown_outcome_has_stray_drafts_swept_before_finalizing()
    {
        var invoice = At(InvoiceStep.CustomerReady);
        var run = InvoiceRun.HandedOver();
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.Unknown, "No answer", Now);
        InvoiceLifecycle.Listed(invoice, run, Stripe("draft", lines: 0), Identity, Now);
        Assert.False(invoice.SweepStrays);   // the listing just swept them

        invoice.SweepStrays = true;          // a later create's outcome was unknown again
        InvoiceLifecycle.LinesAdded(invoice, Stripe("draft"));
        Assert.Equal(InvoiceAction.ListInvoices, InvoiceLifecycle.Next(invoice, run, Identity));
    }

    public static TheoryData<StripeFailureKind, InvoiceStep, FailureOutcome, InvoiceStatus, InvoiceStep, bool, int> Failures() => new()
    {
        // kind, at step → outcome, status, step after, Stripe read before going on, attempt after
        { StripeFailureKind.RateLimited, InvoiceStep.Created, FailureOutcome.Retry, InvoiceStatus.HandedOver, InvoiceStep.Created, false, 0 },
        { StripeFailureKind.KeyInUse, InvoiceStep.LinesAdded, FailureOutcome.Retry, InvoiceStatus.HandedOver, InvoiceStep.LinesAdded, false, 0 },
        { StripeFailureKind.Unknown, InvoiceStep.LinesAdded, FailureOutcome.Retry, InvoiceStatus.HandedOver, InvoiceStep.LinesAdded, true, 0 },
        { StripeFailureKind.ServerError, InvoiceStep.Finalized, FailureOutcome.Retry, InvoiceStatus.HandedOver, InvoiceStep.Finalized, true, 1 },
        { StripeFailureKind.Disconnected, InvoiceStep.Created, FailureOutcome.Held, InvoiceStatus.HandedOver, InvoiceStep.Created, false, 0 },
        { StripeFailureKind.CardDeclined, InvoiceStep.Finalized, FailureOutcome.Settled, InvoiceStatus.PaymentFailed, InvoiceStep.Delivered, false, 0 },
        { StripeFailureKind.CardDeclined, InvoiceStep.Created, FailureOutcome.Settled, InvoiceStatus.Failed, InvoiceStep.Created, false, 0 },
        { StripeFailureKind.CustomerMissing, InvoiceStep.Created, FailureOutcome.Settled, InvoiceStatus.Failed, InvoiceStep.Accepted, false, 0 },
        { StripeFailureKind.CustomerMissing, InvoiceStep.Finalized, FailureOutcome.Settled, InvoiceStatus.Failed, InvoiceStep.Finalized, false, 0 },
        { StripeFailureKind.Permanent, InvoiceStep.CustomerReady, FailureOutcome.Settled, InvoiceStatus.Failed, InvoiceStep.CustomerReady, false, 0 },
        // A refusal on our Stripe invoice: Stripe may be ahead of us, so it is read back before the refusal counts.
        { StripeFailureKind.Permanent, InvoiceStep.Created, FailureOutcome.ReadBack, InvoiceStatus.HandedOver, InvoiceStep.Created, true, 0 },
        { StripeFailureKind.Permanent, InvoiceStep.LinesAdded, FailureOutcome.ReadBack, InvoiceStatus.HandedOver, InvoiceStep.LinesAdded, true, 0 },
        { StripeFailureKind.Permanent, InvoiceStep.Finalized, FailureOutcome.ReadBack, InvoiceStatus.HandedOver, InvoiceStep.Finalized, true, 0 },
    };

    [Fact]
    public void A_finalize_refused_because_another_activation_finalized_the_invoice_goes_on_from_what_Stripe_shows()
    {
        var invoice = At(InvoiceStep.LinesAdded);
        var run = InvoiceRun.HandedOver();

        Assert.Equal(FailureOutcome.ReadBack, InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.Permanent, "This invoice is already finalized", Now));
        Assert.Equal(InvoiceAction.ReadInvoice, InvoiceLifecycle.Next(invoice, run, Identity));
        InvoiceLifecycle.Reconciled(invoice, run, Stripe("open"), Identity, Now);

        Assert.Equal((InvoiceStatus.HandedOver, InvoiceStep.Finalized, (string?)null), (invoice.Status, invoice.Step, invoice.FailureReason));
        Assert.Equal(InvoiceAction.RecordInLedger, InvoiceLifecycle.Next(invoice, run, Identity));
    }

    [Fact]
    public void A_step_refused_again_after_its_read_back_fails_with_Stripe_s_reason()
    {
        var invoice = At(InvoiceStep.LinesAdded);
        var run = InvoiceRun.HandedOver();
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.Permanent, "No such tax rate", Now);
        InvoiceLifecycle.Reconciled(invoice, run, Stripe("draft"), Identity, Now);   // Stripe shows nothing further
        Assert.Equal(InvoiceAction.Finalize, InvoiceLifecycle.Next(invoice, run, Identity));

        Assert.Equal(FailureOutcome.Settled, InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.Permanent, "No such tax rate", Now));
        Assert.Equal((InvoiceStatus.Failed, "No such tax rate"), (invoice.Status, invoice.FailureReason));
    }

    [Theory]
    [MemberData(nameof(Failures))]
    public void Each_failure_kind_retries_holds_or_settles_the_invoice(
        StripeFailureKind kind, InvoiceStep step, FailureOutcome outcome, InvoiceStatus status, InvoiceStep stepAfter, bool readStripe, int attempt)
    {
        var invoice = At(step);
        var run = InvoiceRun.HandedOver();

        Assert.Equal(outcome, InvoiceLifecycle.Failed(invoice, run, kind, "Stripe said no", Now));
        Assert.Equal((status, stepAfter, readStripe, attempt), (invoice.Status, invoice.Step, run.StripeMayBeAhead, invoice.Attempt));
        if (outcome == FailureOutcome.Settled)
        {
            Assert.Equal("Stripe said no", invoice.FailureReason);
        }
    }

    [Fact]
    public void A_retrying_invoice_shows_the_reason_the_attempts_and_the_next_attempt_until_a_request_goes_through()
    {
        var invoice = At(InvoiceStep.Created);
        var run = InvoiceRun.HandedOver();
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.RateLimited, "Too many requests", Now);
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.ServerError, "Stripe answered 500", Now);
        InvoiceLifecycle.RetryAt(invoice, Now.AddSeconds(30));

        var retrying = InvoiceLifecycle.Summary(invoice);
        Assert.Equal(("Stripe answered 500", (int?)2, (DateTimeOffset?)Now.AddSeconds(30)), (retrying.FailureReason, retrying.FailedAttempts, retrying.NextAttemptAt));

        InvoiceLifecycle.LinesAdded(invoice, Stripe("draft"));
        var going = InvoiceLifecycle.Summary(invoice);
        Assert.Equal(((string?)null, (int?)null, (DateTimeOffset?)null), (going.FailureReason, going.FailedAttempts, going.NextAttemptAt));
    }

    [Fact]
    public void A_settled_failure_shows_its_reason_but_no_attempts()
    {
        var invoice = At(InvoiceStep.Created);
        var run = InvoiceRun.HandedOver();
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.RateLimited, "Too many requests", Now);
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.Permanent, "No such price", Now);   // read back first
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.Permanent, "No such price", Now);

        var failed = InvoiceLifecycle.Summary(invoice);
        Assert.Equal((InvoiceStatus.Failed, "No such price", (int?)null, (DateTimeOffset?)null), (failed.Status, failed.FailureReason, failed.FailedAttempts, failed.NextAttemptAt));
    }

    [Fact]
    public void A_read_back_counts_every_step_Stripe_shows_as_done()
    {
        var invoice = At(InvoiceStep.CustomerReady);
        var run = InvoiceRun.Resumed(invoice);

        InvoiceLifecycle.Listed(invoice, run, Stripe("open"), Identity, Now);

        Assert.Equal((InvoiceStep.Finalized, "in_1", (DateTimeOffset?)Now, false), (invoice.Step, invoice.StripeInvoiceId, invoice.FinalizedAt, run.StripeMayBeAhead));
        Assert.Equal(InvoiceAction.RecordInLedger, InvoiceLifecycle.Next(invoice, run, Identity));
    }

    [Fact]
    public void A_charge_that_ran_with_its_answer_lost_is_a_payment_failure_never_charged_twice()
    {
        var invoice = At(InvoiceStep.Finalized, autoCharge: true, collection: InvoiceLifecycle.ChargeAutomatically);
        var run = InvoiceRun.Resumed(invoice);

        InvoiceLifecycle.Reconciled(invoice, run, Stripe("open", collection: InvoiceLifecycle.ChargeAutomatically, attempts: 1), Identity, Now);

        Assert.Equal((InvoiceStatus.PaymentFailed, InvoiceStep.Delivered), (invoice.Status, invoice.Step));
    }

    [Fact]
    public void A_charge_read_back_as_paid_is_delivered()
    {
        var invoice = At(InvoiceStep.Finalized, autoCharge: true, collection: InvoiceLifecycle.ChargeAutomatically);

        InvoiceLifecycle.Reconciled(invoice, InvoiceRun.Resumed(invoice), Stripe("paid", paid: 2000, collection: InvoiceLifecycle.ChargeAutomatically, attempts: 1), Identity, Now);

        Assert.Equal((InvoiceStatus.Paid, InvoiceStep.Delivered, 2000L), (invoice.Status, invoice.Step, invoice.AmountPaidCents));
    }

    [Theory]
    [InlineData(0, InvoiceStatus.NothingToBill)]
    [InlineData(1, InvoiceStatus.HandedOver)]
    public void A_hand_over_keeps_the_first_draft(int lines, InvoiceStatus status)
    {
        var invoice = new InvoiceState();

        Assert.True(InvoiceLifecycle.Accept(invoice, Draft(lines: lines), Key, Now));
        Assert.False(InvoiceLifecycle.Accept(invoice, Draft(total: 99m), Key, Now.AddHours(1)));

        Assert.Equal((status, 20m, Now), (invoice.Status, invoice.Draft!.Total, invoice.HandedOverAt));
        Assert.Equal(lines > 0, invoice.Reconcile);   // stored with Stripe work left: whoever loads it reads Stripe first
    }

    [Fact]
    public void A_hand_over_Stripe_could_never_charge_fails_at_once_and_cannot_be_retried()
    {
        var invoice = new InvoiceState();
        InvoiceLifecycle.Accept(invoice, Draft(total: 1_000_000m), Key, Now);

        Assert.Equal(InvoiceStatus.Failed, invoice.Status);
        Assert.NotNull(invoice.FailureReason);
        Assert.Throws<BillingProblemException>(() => InvoiceLifecycle.Retry(invoice, InvoiceRun.HandedOver(), Key, Now));
    }

    [Theory]
    [InlineData(InvoiceStatus.HandedOver)]
    [InlineData(InvoiceStatus.Sent)]
    [InlineData(InvoiceStatus.Paid)]
    public void Only_a_failed_invoice_can_be_retried(InvoiceStatus status)
    {
        var invoice = At(InvoiceStep.Created);
        invoice.Status = status;

        var refused = Assert.Throws<BillingProblemException>(() => InvoiceLifecycle.Retry(invoice, InvoiceRun.HandedOver(), Key, Now));
        Assert.Contains(status.ToString(), refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_retry_goes_on_from_the_failed_step_under_new_keys_after_reading_Stripe()
    {
        var invoice = At(InvoiceStep.LinesAdded);
        var run = InvoiceRun.HandedOver();
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.Permanent, "No", Now);   // read back first
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.Permanent, "No", Now);
        var finalizeKey = InvoiceKeys.Finalize(Key, invoice);

        InvoiceLifecycle.Retry(invoice, run, Key, Now);

        Assert.Equal((InvoiceStatus.HandedOver, InvoiceStep.LinesAdded, (string?)null, true), (invoice.Status, invoice.Step, invoice.FailureReason, run.StripeMayBeAhead));
        Assert.NotEqual(finalizeKey, InvoiceKeys.Finalize(Key, invoice));
    }

    [Fact]
    public void A_retried_payment_failure_is_charged_again()
    {
        var invoice = At(InvoiceStep.Finalized, autoCharge: true, collection: InvoiceLifecycle.ChargeAutomatically);
        var run = InvoiceRun.HandedOver();
        InvoiceLifecycle.Failed(invoice, run, StripeFailureKind.CardDeclined, "Your card was declined.", Now);
        invoice.LedgerRecorded = true;

        InvoiceLifecycle.Retry(invoice, run, Key, Now);
        InvoiceLifecycle.Reconciled(invoice, run, Stripe("open", collection: InvoiceLifecycle.ChargeAutomatically, attempts: 1), Identity, Now);

        Assert.Equal(InvoiceAction.Pay, InvoiceLifecycle.Next(invoice, run, Identity));
    }

    [Fact]
    public void A_disconnected_account_holds_the_invoice_once_and_a_reconnect_releases_it()
    {
        var invoice = At(InvoiceStep.Created);

        Assert.True(InvoiceLifecycle.Held(invoice, Now));
        Assert.False(InvoiceLifecycle.Held(invoice, Now));
        Assert.True(InvoiceLifecycle.InProgress(invoice));
        Assert.True(InvoiceLifecycle.Released(invoice, Now));
        Assert.False(InvoiceLifecycle.Released(invoice, Now));
        Assert.Equal(InvoiceStatus.HandedOver, invoice.Status);
    }

    [Fact]
    public void The_ledger_month_is_the_month_it_was_finalized_on_the_billing_clock()
    {
        var invoice = At(InvoiceStep.LinesAdded);
        InvoiceLifecycle.Finalized(invoice, Stripe("open"), new DateTimeOffset(2026, 11, 30, 23, 59, 0, TimeSpan.Zero));

        Assert.Equal("2026-11", InvoiceLifecycle.LedgerMonth(invoice, Now.AddMonths(1)));
    }

    [Theory]
    [InlineData(InvoiceStep.CustomerReady, false, new[] { StripeEndpoints.CreateInvoice, StripeEndpoints.AddLines, StripeEndpoints.Finalize, StripeEndpoints.Send })]
    [InlineData(InvoiceStep.Accepted, true, new[] { StripeEndpoints.CreateCustomer, StripeEndpoints.CreateInvoice, StripeEndpoints.AddLines, StripeEndpoints.Finalize, StripeEndpoints.Send })]
    [InlineData(InvoiceStep.LinesAdded, false, new[] { StripeEndpoints.Finalize, StripeEndpoints.Send })]
    public void A_run_books_the_requests_left_when_nothing_fails(InvoiceStep step, bool customerCall, string[] expected)
    {
        var invoice = At(step);

        Assert.Equal(expected, InvoiceLifecycle.PlannedRequests(invoice, InvoiceRun.HandedOver(), customerCall));
    }
}
