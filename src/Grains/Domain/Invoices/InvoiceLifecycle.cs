using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>
/// One invoice's way through Stripe, as rules: which step comes next (<see cref="Next"/>), what each
/// answer means for the record (the transitions), how a failure is classified into retrying or settling
/// (<see cref="Failed"/>), and what a hand-over and a manual retry do. The invoice grain asks
/// <see cref="Next"/>, makes the one request or call it names, applies the transition for the answer, and
/// repeats; it writes the record at the hand-over, before the invoice is sent or charged, when <see cref="Next"/>
/// says <see cref="InvoiceAction.Done"/>, and when a failure settles or waits. Steps in between are not written: Stripe is the record of them,
/// read back (the invoice by id, or the customer's invoices listed by key) by any activation that did not see
/// them (<see cref="InvoiceRun.Resumed"/>), and every request carries a key that repeats it safely
/// (<see cref="InvoiceKeys"/>).
/// <para>
/// The send is the one step a read of the invoice cannot show. So it is marked in the record just before each
/// send goes (<see cref="SendSending"/>), and a send that may have gone out without its answer — any failure but a 429
/// (<see cref="SendFailed"/>), or an activation that loaded the mark — is looked for among the account's
/// <c>invoice.sent</c> events since Stripe finalized the invoice (<see cref="InvoiceAction.FindSent"/>, on Stripe's
/// clock) before another send: found, it is delivered (<see cref="SentLookedUp"/>). A lost charge needs no such
/// look-up: the invoice read back shows it paid, or one more charge attempt (a decline).
/// </para>
/// </summary>
public static class InvoiceLifecycle
{
    public const string ChargeAutomatically = "charge_automatically";

    public const string SendInvoice = "send_invoice";

    public const string NoSavedCardNote = "Auto-charge is on but the customer has no saved card: the invoice was emailed for payment instead.";

    /// <summary>How many applied webhook event ids an invoice keeps to recognise a redelivery.</summary>
    public const int EventIdsKept = 50;

    /// <summary>Handed over and not settled: steps are left in Stripe (held while the account is disconnected).</summary>
    public static bool InProgress(IInvoiceProgress invoice) =>
        invoice.Draft is not null && invoice.Status is InvoiceStatus.HandedOver or InvoiceStatus.Held;

    /// <summary>In progress and not yet delivered: Stripe may hold a step the record does not.</summary>
    public static bool InStripeWork(IInvoiceProgress invoice) => InProgress(invoice) && invoice.Step < InvoiceStep.Delivered;

    /// <summary>Final in Stripe, but the phantom fee and taxes are not in the ledger yet.</summary>
    public static bool LedgerToRecord(IInvoiceProgress invoice) =>
        invoice.Draft is not null && invoice.StripeInvoiceId is not null && invoice.Step >= InvoiceStep.Finalized && !invoice.LedgerRecorded;

    /// <summary>Final in Stripe, but its taxes are not committed with the provider yet.</summary>
    public static bool TaxesToCommit(IInvoiceProgress invoice) =>
        invoice.Draft?.TaxJurisdiction is not null && invoice.Step >= InvoiceStep.Finalized && !invoice.TaxesCommitted;

    /// <summary>Anything left: steps in Stripe, the ledger, or the provider's record of the taxes.</summary>
    public static bool HasWork(IInvoiceProgress invoice) => InProgress(invoice) || LedgerToRecord(invoice) || TaxesToCommit(invoice);

    /// <summary>
    /// Takes a hand-over: the first draft for the key is kept (a repeat changes nothing, false). An invoice with
    /// no lines has nothing to bill; one Stripe could never charge fails at once with the reason.
    /// </summary>
    public static bool Accept(IInvoiceProgress invoice, InvoiceDraft draft, string invoiceKey, DateTimeOffset now)
    {
        if (draft.InvoiceKey != invoiceKey)
        {
            throw new ArgumentException($"Draft {draft.InvoiceKey} was handed to invoice {invoiceKey}.", nameof(draft));
        }

        if (invoice.Draft is not null)
        {
            return false;
        }

        invoice.Draft = draft;
        invoice.Status = draft.Lines.Count == 0 ? InvoiceStatus.NothingToBill : InvoiceStatus.HandedOver;
        if (StripeAmountLimits.Refusal(draft) is { } tooLarge)
        {
            invoice.Status = InvoiceStatus.Failed;
            invoice.FailureReason = tooLarge;
        }

        invoice.HandedOverAt = now;
        invoice.UpdatedAt = now;
        BeforeWrite(invoice);
        return true;
    }

    /// <summary>
    /// Marks what the written record means: while Stripe work is left, Stripe may go further than the record
    /// before it is written again, so whoever loads it reads Stripe first (<see cref="IInvoiceProgress.Reconcile"/>).
    /// </summary>
    public static void BeforeWrite(IInvoiceProgress invoice) => invoice.Reconcile = InStripeWork(invoice);

    /// <summary>
    /// The next action, applying on the way the transitions that need no request (the collection settled
    /// without a switch, delivery of an invoice Stripe already marked paid). <paramref name="stripeIdentity"/>
    /// is the Stripe the account is connected to now.
    /// </summary>
    public static InvoiceAction Next(IInvoiceProgress invoice, InvoiceRun run, string? stripeIdentity)
    {
        if (InStripeWork(invoice))
        {
            var draft = invoice.Draft!;
            if (invoice.StripeIdentity is { } identity && identity != stripeIdentity)
            {
                return invoice.Step >= InvoiceStep.Finalized ? InvoiceAction.FailInOtherStripe : InvoiceAction.StartOver;
            }

            if (run.StripeMayBeAhead)
            {
                if (invoice.StripeInvoiceId is not null)
                {
                    return InvoiceAction.ReadInvoice;
                }

                if (invoice.CustomerId is not null)
                {
                    return InvoiceAction.ListInvoices;
                }

                // Without a customer there is nothing to list yet: it comes first, then the listing.
                return InvoiceAction.EnsureCustomer;
            }

            switch (invoice.Step)
            {
                case InvoiceStep.Accepted:
                    return InvoiceAction.EnsureCustomer;
                case InvoiceStep.CustomerReady:
                    // A create may have been sent in this round and its outcome is not known here: one key, one invoice.
                    return invoice.CreateSentAt is not null && !run.ListedSinceLastCreate ? InvoiceAction.ListInvoices : InvoiceAction.CreateInvoice;
                case InvoiceStep.Created:
                    if (!invoice.CollectionChecked)
                    {
                        if (draft.AutoCharge && !invoice.CustomerHasSavedCard && invoice.CollectionMethod == ChargeAutomatically)
                        {
                            return InvoiceAction.SwitchToEmail;
                        }

                        CollectionSettled(invoice);
                    }

                    return InvoiceAction.AddLines;
                case InvoiceStep.LinesAdded:
                    if (invoice.StripeTotalCents is { } total && total != Money.ToCents(draft.Total))
                    {
                        return InvoiceAction.DiscardDraft;
                    }

                    return invoice.SweepStrays ? InvoiceAction.ListInvoices : InvoiceAction.Finalize;
                case InvoiceStep.Finalized:
                    if (LedgerToRecord(invoice))
                    {
                        // The fee and taxes are the account's as soon as the invoice is final, before it is sent or charged.
                        return InvoiceAction.RecordInLedger;
                    }

                    if (invoice.CollectionMethod != ChargeAutomatically)
                    {
                        // A send may have e-mailed it without its answer reaching us: Stripe's events tell, before another send.
                        return SendMayHaveGone(invoice, run) ? InvoiceAction.FindSent : InvoiceAction.Send;
                    }

                    if (StripeInvoiceOutcome.NeedsCharge(Snapshot(invoice)))
                    {
                        return InvoiceAction.Pay;
                    }

                    // Stripe marked it paid at finalization (credit, or under the minimum charge): never charged.
                    Delivered(invoice, Snapshot(invoice));
                    break;
            }
        }

        if (LedgerToRecord(invoice))
        {
            return InvoiceAction.RecordInLedger;
        }

        return TaxesToCommit(invoice) ? InvoiceAction.CommitTaxes : InvoiceAction.Done;
    }

    /// <summary>
    /// The requests <see cref="Next"/> will ask for from here when nothing fails, as Stripe's endpoints, so
    /// the pacer can give them all at once (an invoice that has started finishes before new ones start).
    /// <paramref name="customerCall"/>: the customer grain needs a request first.
    /// </summary>
    public static IReadOnlyList<string> PlannedRequests(IInvoiceProgress invoice, InvoiceRun run, bool customerCall)
    {
        var planned = new List<string>(6);
        if (!InStripeWork(invoice))
        {
            return planned;
        }

        if (customerCall)
        {
            planned.Add(StripeEndpoints.CreateCustomer);
        }

        if (run.StripeMayBeAhead)
        {
            planned.Add(invoice.StripeInvoiceId is not null ? StripeEndpoints.ReadInvoice : StripeEndpoints.ListInvoices);
        }

        var step = invoice.Step;
        if (step <= InvoiceStep.CustomerReady)
        {
            planned.Add(StripeEndpoints.CreateInvoice);
        }

        if (step <= InvoiceStep.Created)
        {
            planned.Add(StripeEndpoints.AddLines);
        }

        if (step <= InvoiceStep.LinesAdded)
        {
            planned.Add(StripeEndpoints.Finalize);
        }

        if (SendMayHaveGone(invoice, run))
        {
            planned.Add(StripeEndpoints.ListEvents);
        }

        planned.Add(invoice.Draft!.AutoCharge && run.CustomerHasSavedCard != false ? StripeEndpoints.Pay : StripeEndpoints.Send);
        return planned;
    }

    /// <summary>
    /// How the draft is created: an auto-charge invoice is charged automatically unless the customer is known
    /// to have no saved card (then it is emailed from the start, so no switch is needed); when the card is not
    /// known, the answer includes the customer to check it.
    /// </summary>
    public static (string CollectionMethod, bool ReadCustomer) CollectionAtCreate(IInvoiceProgress invoice, InvoiceRun run) =>
        !invoice.Draft!.AutoCharge ? (SendInvoice, false)
        : run.CustomerHasSavedCard switch
        {
            true => (ChargeAutomatically, false),
            false => (SendInvoice, false),
            null => (ChargeAutomatically, true),
        };

    /// <summary>The customer exists in the account's Stripe.</summary>
    /// <param name="customerCreated">It was made just now, so it can't have any invoice yet.</param>
    public static void CustomerReady(IInvoiceProgress invoice, InvoiceRun run, string customerId, bool? hasSavedCard, bool customerCreated)
    {
        if (invoice.CustomerId != customerId)
        {
            invoice.CustomerId = customerId;
        }

        run.CustomerHasSavedCard = hasSavedCard ?? run.CustomerHasSavedCard;
        if (hasSavedCard is { } card)
        {
            invoice.CustomerHasSavedCard = card;
        }

        if (invoice.Step == InvoiceStep.Accepted)
        {
            invoice.Step = InvoiceStep.CustomerReady;
            invoice.Attempt = 0;
        }

        if (customerCreated && invoice.StripeInvoiceId is null)
        {
            run.StripeMayBeAhead = false;
            run.ListedSinceLastCreate = true;
        }

        Progressed(invoice);
    }

    /// <summary>A create is about to be sent: from now on a create may have made an invoice.</summary>
    public static void CreateSending(IInvoiceProgress invoice, DateTimeOffset now) => invoice.CreateSentAt ??= now;

    public static void Created(IInvoiceProgress invoice, StripeInvoiceSnapshot created, string? stripeIdentity)
    {
        Progressed(invoice);
        Adopt(invoice, created);
        invoice.StripeIdentity = stripeIdentity;
        invoice.Step = InvoiceStep.Created;
        invoice.Attempt = 0;
        if (invoice.Draft!.AutoCharge && created.CollectionMethod == SendInvoice)
        {
            // Created to be emailed: the customer was known to have no card.
            CollectionSettled(invoice);
        }
    }

    public static void SwitchedToEmail(IInvoiceProgress invoice, StripeInvoiceSnapshot switched)
    {
        Progressed(invoice);
        Adopt(invoice, switched);
        CollectionSettled(invoice);
    }

    public static void LinesAdded(IInvoiceProgress invoice, StripeInvoiceSnapshot withLines)
    {
        Progressed(invoice);
        Adopt(invoice, withLines);
        invoice.Step = InvoiceStep.LinesAdded;
        invoice.Attempt = 0;
    }

    public static void Finalized(IInvoiceProgress invoice, StripeInvoiceSnapshot finalized, DateTimeOffset now)
    {
        Progressed(invoice);
        Adopt(invoice, finalized);
        invoice.ChargeAttemptsBefore = invoice.ChargeAttempts;
        invoice.FinalizedAt ??= now;
        invoice.Step = InvoiceStep.Finalized;
        invoice.Attempt = 0;
    }

    /// <summary>
    /// A send is about to go out, in its slot: from now on it may have e-mailed the invoice, whatever its answer
    /// says. The mark is renewed and written into the record before each send, just before the request, so that of
    /// two activations of one invoice (a kill -9 can leave a second one alive for a moment) only the one whose write
    /// wins on the record's version sends; the other's write fails and it goes on from the record, looking first.
    /// </summary>
    public static void SendSending(IInvoiceProgress invoice, DateTimeOffset now) => invoice.SendRequestedAt = now;

    /// <summary>
    /// A send failed: unless Stripe refused it with a 429 (which does nothing), it may have e-mailed the invoice
    /// (a 5xx after the work, no answer, a 409 while the same key is still at work), so Stripe's events are looked
    /// through before the next send.
    /// </summary>
    public static void SendFailed(InvoiceRun run, StripeFailureKind kind)
    {
        if (kind != StripeFailureKind.RateLimited)
        {
            run.CheckedSinceLastSend = false;
        }
    }

    /// <summary>
    /// Stripe's <c>invoice.sent</c> events since the invoice was finalized were looked through: one for our invoice
    /// means a send went out (its answer was lost), so it is delivered as last read and never sent again; none
    /// means no send did, and the next goes out (under a new key after a 5xx, under the same one after no answer).
    /// </summary>
    public static void SentLookedUp(IInvoiceProgress invoice, InvoiceRun run, bool found)
    {
        if (found)
        {
            Delivered(invoice, Snapshot(invoice));
            return;
        }

        run.CheckedSinceLastSend = true;
    }

    /// <summary>
    /// A send of this invoice may have gone out that no <c>invoice.sent</c> look-up has accounted for: one was sent
    /// (the record says so) and this activation has not looked since it saw it fail, or did not see it at all.
    /// </summary>
    public static bool SendMayHaveGone(IInvoiceProgress invoice, InvoiceRun run) => invoice.SendRequestedAt is not null && !run.CheckedSinceLastSend;

    /// <summary>Sent, charged, or left as Stripe settled it: our status follows Stripe's, and a paid invoice nobody paid says why.</summary>
    public static void Delivered(IInvoiceProgress invoice, StripeInvoiceSnapshot delivered)
    {
        Progressed(invoice);
        Adopt(invoice, delivered);
        invoice.Note ??= StripeInvoiceOutcome.PaidWithoutCharge(delivered);
        invoice.Status = StripeInvoiceOutcome.AfterDelivery(delivered);
        invoice.Step = InvoiceStep.Delivered;
        invoice.Attempt = 0;
    }

    /// <summary>
    /// The invoice as Stripe shows it now, read back after an activation that did not see the last steps or an
    /// unknown outcome: each step Stripe shows as done is done, so none is repeated. A charge that ran and did not
    /// succeed (its answer lost) is a payment failure, never charged again until a retry.
    /// </summary>
    public static void Reconciled(IInvoiceProgress invoice, InvoiceRun run, StripeInvoiceSnapshot? found, string? stripeIdentity, DateTimeOffset now)
    {
        run.StripeMayBeAhead = false;
        if (found is null)
        {
            return;
        }

        // Reading Stripe is no progress: the failing step's reason and attempt count stay until a step goes through.
        var before = invoice.Step;
        Advance(invoice, found, stripeIdentity, now);
        if (invoice.Step != before)
        {
            // A payment failure read back keeps its own reason.
            var settledReason = invoice.Status == InvoiceStatus.PaymentFailed ? invoice.FailureReason : null;
            Progressed(invoice);
            invoice.FailureReason ??= settledReason;
        }
    }

    /// <summary>Each step Stripe shows as done becomes done here.</summary>
    private static void Advance(IInvoiceProgress invoice, StripeInvoiceSnapshot found, string? stripeIdentity, DateTimeOffset now)
    {
        Adopt(invoice, found);
        invoice.StripeIdentity ??= stripeIdentity;
        if (invoice.Step < InvoiceStep.Created)
        {
            invoice.Step = InvoiceStep.Created;
        }

        if (found.LineCount > 0 && invoice.Step < InvoiceStep.LinesAdded)
        {
            invoice.Step = InvoiceStep.LinesAdded;
        }

        if (!found.IsDraft && invoice.Step < InvoiceStep.Finalized)
        {
            invoice.FinalizedAt ??= now;
            invoice.Step = InvoiceStep.Finalized;
        }

        if (found.Status == "paid" && invoice.Step < InvoiceStep.Delivered && invoice.CollectionMethod == ChargeAutomatically)
        {
            Delivered(invoice, found);
        }
        else if (invoice.Step == InvoiceStep.Finalized && invoice.CollectionMethod == ChargeAutomatically
            && StripeInvoiceOutcome.ChargeFailedUnseen(found, invoice.ChargeAttemptsBefore))
        {
            invoice.Status = InvoiceStatus.PaymentFailed;
            invoice.FailureReason = "Stripe attempted the charge and it was declined or failed (its answer was lost); retry to charge again.";
            invoice.Step = InvoiceStep.Delivered;
        }
    }

    /// <summary>The customer's invoices carrying the key were listed (and stray drafts deleted): ours, if any, is read back.</summary>
    public static void Listed(IInvoiceProgress invoice, InvoiceRun run, StripeInvoiceSnapshot? ours, string? stripeIdentity, DateTimeOffset now)
    {
        run.ListedSinceLastCreate = true;
        invoice.SweepStrays = false;
        Reconciled(invoice, run, ours, stripeIdentity, now);
    }

    /// <summary>
    /// Stripe's draft does not total what we composed (an account setting such as a default tax rate or automatic
    /// tax changed it): the draft was deleted; the invoice fails with the reason and a retry creates it afresh.
    /// </summary>
    public static string DraftDiscarded(IInvoiceProgress invoice, long stripeTotalCents)
    {
        var reason = $"Stripe's draft totaled {Money.FromCentsText(stripeTotalCents)}, not the {Money.FromCentsText(Money.ToCents(invoice.Draft!.Total))} composed; it was deleted and not sent. Check the account's Stripe invoice settings (default tax rates, automatic tax), then retry.";
        invoice.Step = InvoiceStep.CustomerReady;
        invoice.StripeInvoiceId = null;
        invoice.StripeTotalCents = null;
        invoice.CreateSentAt = null;
        invoice.CollectionChecked = false;
        return reason;
    }

    public const string FinalInOtherStripe = "The account connected a different Stripe after this invoice was finalized in the previous one.";

    /// <summary>The account connected a different Stripe before the invoice was final there: it starts over (new customer, new invoice, new keys).</summary>
    public static void StartOver(IInvoiceProgress invoice, InvoiceRun run)
    {
        invoice.Step = InvoiceStep.Accepted;
        invoice.StripeInvoiceId = null;
        invoice.CustomerId = null;
        invoice.CreateSentAt = null;
        invoice.CollectionChecked = false;
        invoice.StripeIdentity = null;
        invoice.SweepStrays = false;
        invoice.RetryRound++;
        run.StripeMayBeAhead = false;
        run.ListedSinceLastCreate = true;
        run.CustomerHasSavedCard = null;
    }

    public static void LedgerRecorded(IInvoiceProgress invoice, DateTimeOffset now)
    {
        invoice.FinalizedAt ??= now;
        invoice.LedgerRecorded = true;
    }

    public static void TaxesCommitted(IInvoiceProgress invoice) => invoice.TaxesCommitted = true;

    /// <summary>
    /// What a failed request means, recorded: a transient failure (429, 409, no answer, 5xx) is retried, after
    /// an unknown outcome only once Stripe has been read, and under a new key after a 5xx, which Stripe replays
    /// for the key; a declined charge is a payment failure; a customer gone in Stripe fails the invoice, and a
    /// retry starts over with a new customer (unless the invoice was already final); a refusal of a request on
    /// our Stripe invoice is read back first (Stripe may be ahead: "already finalized" is no failure), and
    /// anything else fails it with Stripe's reason. Disconnected is the caller's (<see cref="Held"/>).
    /// </summary>
    public static FailureOutcome Failed(IInvoiceProgress invoice, InvoiceRun run, StripeFailureKind kind, string message, DateTimeOffset now)
    {
        switch (kind)
        {
            case StripeFailureKind.Disconnected:
                return FailureOutcome.Held;
            case StripeFailureKind.RateLimited or StripeFailureKind.KeyInUse:
                Retrying(invoice, message, now);
                return FailureOutcome.Retry;
            case StripeFailureKind.Unknown or StripeFailureKind.ServerError:
                run.StripeMayBeAhead = true;
                if (invoice.Step == InvoiceStep.CustomerReady)
                {
                    // The create may have made a draft that Stripe shows only later: before finalizing, strays are deleted.
                    invoice.SweepStrays = true;
                }

                if (StripeIdempotencyKeys.SpendsKey(kind))
                {
                    invoice.Attempt++;
                }

                Retrying(invoice, message, now);
                return FailureOutcome.Retry;
            case StripeFailureKind.Permanent when invoice.StripeInvoiceId is not null && InStripeWork(invoice) && run.RefusalReadBackAt != invoice.Step:
                // Stripe refused a request on our invoice: it may have moved on without this activation (a second activation
                // while a silo was being voted dead finalized it, or someone finalized, sent or paid it in the dashboard).
                // It is read back first; the refusal stands only if the step is refused again.
                run.RefusalReadBackAt = invoice.Step;
                run.StripeMayBeAhead = true;
                return FailureOutcome.ReadBack;
            case StripeFailureKind.CardDeclined when invoice.Step == InvoiceStep.Finalized:
                // Stripe counted our charge as an attempt: a retry reads it back and charges again, not "failed unseen".
                invoice.ChargeAttempts = Math.Max(invoice.ChargeAttempts, invoice.ChargeAttemptsBefore + 1);
                invoice.Status = InvoiceStatus.PaymentFailed;
                invoice.Step = InvoiceStep.Delivered;
                break;
            case StripeFailureKind.CustomerMissing:
                invoice.Status = InvoiceStatus.Failed;
                if (invoice.Step < InvoiceStep.Finalized)
                {
                    // The draft went with the customer: a retry starts over with a new customer and invoice.
                    invoice.Step = InvoiceStep.Accepted;
                    invoice.StripeInvoiceId = null;
                    invoice.CreateSentAt = null;
                    invoice.CollectionChecked = false;
                    run.CustomerHasSavedCard = null;
                }

                break;
            default:
                invoice.Status = InvoiceStatus.Failed;
                break;
        }

        invoice.FailureReason = message;
        invoice.FailedAttempts = 0;
        invoice.NextAttemptAt = null;
        invoice.UpdatedAt = now;
        return FailureOutcome.Settled;
    }

    /// <summary>The failing work is tried next at <paramref name="at"/> (shown on the invoice while it waits).</summary>
    public static void RetryAt(IInvoiceProgress invoice, DateTimeOffset at) => invoice.NextAttemptAt = at;

    /// <summary>The account's Stripe is disconnected: the invoice is held (true when that is news).</summary>
    public static bool Held(IInvoiceProgress invoice, DateTimeOffset now)
    {
        if (invoice.Status == InvoiceStatus.Held)
        {
            return false;
        }

        invoice.Status = InvoiceStatus.Held;
        invoice.UpdatedAt = now;
        return true;
    }

    /// <summary>The account is connected again: a held invoice goes on (true when it was held).</summary>
    public static bool Released(IInvoiceProgress invoice, DateTimeOffset now)
    {
        if (invoice.Status != InvoiceStatus.Held)
        {
            return false;
        }

        invoice.Status = InvoiceStatus.HandedOver;
        invoice.UpdatedAt = now;
        return true;
    }

    /// <summary>
    /// A manual retry of a failed invoice: from the step that failed, under new keys (a new round); a declined
    /// charge is charged again. Refused (409) unless it failed, or when Stripe could never charge it.
    /// </summary>
    public static void Retry(IInvoiceProgress invoice, InvoiceRun run, string invoiceKey, DateTimeOffset now)
    {
        if (invoice.Draft is not { } draft)
        {
            throw BillingProblemException.NotFound($"Invoice '{invoiceKey}'");
        }

        if (invoice.Status is not (InvoiceStatus.Failed or InvoiceStatus.PaymentFailed))
        {
            throw BillingProblemException.Conflict($"Only a failed invoice can be retried; this one is {invoice.Status}.");
        }

        if (StripeAmountLimits.Refusal(draft) is { } tooLarge)
        {
            throw BillingProblemException.Conflict(tooLarge);
        }

        if (invoice.Status == InvoiceStatus.PaymentFailed)
        {
            invoice.Step = InvoiceStep.Finalized;
            invoice.ChargeAttemptsBefore = invoice.ChargeAttempts;
        }

        // What failed may have gone further in Stripe than its answer said: read it first.
        run.StripeMayBeAhead = invoice.StripeInvoiceId is not null || invoice.CreateSentAt is not null;
        run.ListedSinceLastCreate = invoice.CreateSentAt is null;
        run.RefusalReadBackAt = null;
        invoice.RetryRound++;
        invoice.Attempt = 0;
        invoice.FailureReason = null;
        invoice.FailedAttempts = 0;
        invoice.NextAttemptAt = null;
        invoice.Status = InvoiceStatus.HandedOver;
        invoice.UpdatedAt = now;
        BeforeWrite(invoice);
    }

    /// <summary>The invoice as last read from Stripe.</summary>
    public static StripeInvoiceSnapshot Snapshot(IInvoiceProgress invoice) => new(
        invoice.StripeInvoiceId!, invoice.StripeStatus ?? "open", invoice.Number, invoice.StripeTotalCents ?? 0, invoice.AmountDueCents ?? 0, invoice.AmountPaidCents ?? 0,
        invoice.HostedInvoiceUrl, 0, invoice.CollectionMethod ?? SendInvoice, invoice.CustomerHasSavedCard,
        StartingBalance: invoice.StartingBalanceCents, EndingBalance: invoice.EndingBalanceCents, AttemptCount: invoice.ChargeAttempts,
        FinalizedAt: invoice.StripeFinalizedAt);

    /// <summary>The month whose ledger takes the invoice's fee and taxes: the month it was finalized in, on the billing clock (not Stripe's).</summary>
    public static string LedgerMonth(IInvoiceProgress invoice, DateTimeOffset now) => Schedule.BillingPeriod.Of(invoice.FinalizedAt ?? now).ToString();

    /// <summary>The invoice as the tenant's history lists it.</summary>
    public static InvoiceSummary Summary(IInvoiceProgress invoice)
    {
        var draft = invoice.Draft!;
        var requestId = draft.Kind == InvoiceKind.OneTime ? draft.InvoiceKey[(draft.InvoiceKey.LastIndexOf("/once-", StringComparison.Ordinal) + 6)..] : null;
        var retrying = InProgress(invoice) && invoice.FailedAttempts > 0;
        return new InvoiceSummary(
            draft.InvoiceKey, draft.Kind, draft.Period, requestId, invoice.Status, draft.InvoiceDate, draft.Total,
            invoice.StripeInvoiceId, invoice.Number, invoice.AmountDueCents, invoice.AmountPaidCents, invoice.HostedInvoiceUrl,
            invoice.FailureReason, invoice.UpdatedAt, invoice.Note,
            retrying ? invoice.FailedAttempts : null, retrying ? invoice.NextAttemptAt : null, FinalizedAt: invoice.FinalizedAt);
    }

    private static void Retrying(IInvoiceProgress invoice, string message, DateTimeOffset now)
    {
        invoice.FailureReason = message;
        invoice.FailedAttempts++;
        invoice.UpdatedAt = now;
    }

    /// <summary>A request went through: the reason shown while it was being retried goes (a settled failure keeps its own).</summary>
    private static void Progressed(IInvoiceProgress invoice)
    {
        if (invoice.FailedAttempts > 0)
        {
            invoice.FailedAttempts = 0;
            invoice.NextAttemptAt = null;
            invoice.FailureReason = null;
        }
    }

    private static void CollectionSettled(IInvoiceProgress invoice)
    {
        if (invoice.Draft!.AutoCharge && !invoice.CustomerHasSavedCard)
        {
            invoice.Note = NoSavedCardNote;
        }

        invoice.CollectionChecked = true;
    }

    private static void Adopt(IInvoiceProgress invoice, StripeInvoiceSnapshot read)
    {
        invoice.StripeInvoiceId = read.Id;
        invoice.CollectionMethod = read.CollectionMethod;
        invoice.CustomerHasSavedCard = read.CustomerHasSavedCard ?? invoice.CustomerHasSavedCard;
        invoice.Number = read.Number ?? invoice.Number;
        invoice.AmountDueCents = read.AmountDue;
        invoice.AmountPaidCents = read.AmountPaid;
        invoice.StripeTotalCents = read.Total;
        invoice.StripeStatus = read.Status;
        invoice.ChargeAttempts = read.AttemptCount;
        invoice.StartingBalanceCents = read.StartingBalance;
        invoice.EndingBalanceCents = read.EndingBalance;
        invoice.HostedInvoiceUrl = read.HostedInvoiceUrl ?? invoice.HostedInvoiceUrl;
        invoice.StripeFinalizedAt = read.FinalizedAt ?? invoice.StripeFinalizedAt;
    }
}
