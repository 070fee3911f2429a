using System.Diagnostics.CodeAnalysis;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Invoices;

/// <summary>What <see cref="InvoiceLifecycle"/> reads and changes: the invoice grain's persisted state.</summary>
public interface IInvoiceProgress
{
    InvoiceDraft? Draft { get; set; }

    InvoiceStatus Status { get; set; }

    DateTimeOffset HandedOverAt { get; set; }

    DateTimeOffset UpdatedAt { get; set; }

    [SuppressMessage("Naming", "CA1716", Justification = "The persisted state's name for it; no Visual Basic implementer.")]
    InvoiceStep Step { get; set; }

    string? StripeInvoiceId { get; set; }

    string? CustomerId { get; set; }

    /// <summary>The Stripe account the invoice lives in (<see cref="StripeAccess.StripeIdentity"/>).</summary>
    string? StripeIdentity { get; set; }

    string? Number { get; set; }

    long? AmountDueCents { get; set; }

    long? AmountPaidCents { get; set; }

    string? HostedInvoiceUrl { get; set; }

    /// <summary>Why it failed, or why its Stripe work is waiting to be tried again.</summary>
    string? FailureReason { get; set; }

    /// <summary>A remark for the account, such as why an auto-charge invoice was emailed instead.</summary>
    string? Note { get; set; }

    /// <summary>Attempt of the current step's request, part of its idempotency key.</summary>
    int Attempt { get; set; }

    /// <summary>Bumped by each manual retry and each new start, part of every idempotency key.</summary>
    int RetryRound { get; set; }

    /// <summary>Stripe may hold more than this record says: Stripe is read before the next step.</summary>
    bool Reconcile { get; set; }

    /// <summary>When a create request may first have been sent (in this round).</summary>
    DateTimeOffset? CreateSentAt { get; set; }

    /// <summary>A create's outcome was unknown: drafts carrying the key other than ours are deleted before finalizing.</summary>
    bool SweepStrays { get; set; }

    string? CollectionMethod { get; set; }

    /// <summary>How the invoice is collected was settled against the customer's saved card.</summary>
    bool CollectionChecked { get; set; }

    bool CustomerHasSavedCard { get; set; }

    /// <summary>Stripe's <c>total</c> when last read, cents.</summary>
    long? StripeTotalCents { get; set; }

    /// <summary>Stripe's status of the invoice when last read.</summary>
    string? StripeStatus { get; set; }

    long? StartingBalanceCents { get; set; }

    long? EndingBalanceCents { get; set; }

    /// <summary>Stripe's <c>attempt_count</c> when last read.</summary>
    long ChargeAttempts { get; set; }

    /// <summary><see cref="ChargeAttempts"/> before our charge request.</summary>
    long ChargeAttemptsBefore { get; set; }

    DateTimeOffset? FinalizedAt { get; set; }

    bool LedgerRecorded { get; set; }

    bool TaxesCommitted { get; set; }

    /// <summary>Ids of the webhook events already applied (the most recent few).</summary>
    List<string> AppliedEventIds { get; }

    /// <summary>Failed attempts in a row of the Stripe work (shown while it is retried).</summary>
    int FailedAttempts { get; set; }

    /// <summary>When the failing Stripe work is tried next.</summary>
    DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>When a send request may first have gone out (billing clock); null until the first is about to.</summary>
    DateTimeOffset? SendRequestedAt { get; set; }

    /// <summary>When Stripe finalized the invoice, on Stripe's clock (<c>status_transitions.finalized_at</c>).</summary>
    DateTimeOffset? StripeFinalizedAt { get; set; }
}
