using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Invoices;

/// <summary>
/// One invoice's record (see <see cref="IInvoiceProgress"/> for what each field means to the rules). Written at
/// the hand-over, once final in Stripe before it is sent (with the mark that a send may go out) or charged, when the invoice is done or fails, and on
/// the rare steps that must be (a held invoice, a restart in another Stripe); the steps in between are Stripe's
/// record and are read back from it.
/// </summary>
[GenerateSerializer, Alias("invoice-state")]
public sealed class InvoiceState : IInvoiceProgress
{
    [Id(0)] public InvoiceDraft? Draft { get; set; }
    [Id(1)] public InvoiceStatus Status { get; set; }
    [Id(2)] public DateTimeOffset HandedOverAt { get; set; }
    [Id(3)] public DateTimeOffset UpdatedAt { get; set; }
    [Id(4)] public string? StripeInvoiceId { get; set; }
    [Id(5)] public string? Number { get; set; }
    [Id(6)] public long? AmountDueCents { get; set; }
    [Id(7)] public long? AmountPaidCents { get; set; }
    [Id(8)] public string? HostedInvoiceUrl { get; set; }
    [Id(9)] public string? FailureReason { get; set; }
    [Id(10)] public InvoiceStep Step { get; set; }
    [Id(11)] public string? CustomerId { get; set; }

    /// <summary>Attempt of the current step: bumped when Stripe answered a request with a 5xx (which it replays for the key), so the next one gets a new idempotency key.</summary>
    [Id(12)] public int Attempt { get; set; }

    /// <summary>Stripe may hold more than this record: whoever loads it reads the invoice in Stripe before going on.</summary>
    [Id(13)] public bool Reconcile { get; set; }

    /// <summary>When a create request was first sent in this round: from then on, a create is sent again only after listing the customer's invoices finds none with our key.</summary>
    [Id(14)] public DateTimeOffset? CreateSentAt { get; set; }

    [Id(15)] public string? CollectionMethod { get; set; }

    /// <summary>A remark for the account, such as why an auto-charge invoice was emailed instead.</summary>
    [Id(16)] public string? Note { get; set; }

    /// <summary>Ids of the webhook events already applied (the most recent few).</summary>
    [Id(17)] public List<string> AppliedEventIds { get; set; } = [];

    [Id(18)] public DateTimeOffset? FinalizedAt { get; set; }

    /// <summary>The phantom fee and the tax report entry were recorded in the ledger of the finalization month.</summary>
    [Id(19)] public bool LedgerRecorded { get; set; }

    [Id(20)] public bool TaxesCommitted { get; set; }

    /// <summary>Bumped by each manual retry and each start in another Stripe, so those requests get new idempotency keys.</summary>
    [Id(21)] public int RetryRound { get; set; }

    /// <summary>Whether the invoice's customer had a saved card when it was last read from Stripe.</summary>
    [Id(22)] public bool CustomerHasSavedCard { get; set; }

    /// <summary>The Stripe account (<see cref="StripeAccess.StripeIdentity"/>) the invoice was created in.</summary>
    [Id(23)] public string? StripeIdentity { get; set; }

    /// <summary>How the invoice is collected was settled against the customer's saved card (auto-charge drafts).</summary>
    [Id(24)] public bool CollectionChecked { get; set; }

    /// <summary>Stripe's <c>total</c> when the invoice was last read, cents: checked against the draft before finalizing.</summary>
    [Id(25)] public long? StripeTotalCents { get; set; }

    /// <summary>A create request's outcome was unknown: before finalizing, drafts carrying the key other than ours are deleted.</summary>
    [Id(26)] public bool SweepStrays { get; set; }

    /// <summary>Stripe's status of the invoice when last read (draft, open, paid, …).</summary>
    [Id(27)] public string? StripeStatus { get; set; }

    /// <summary>The customer's balance before and after Stripe applied it at finalization, cents.</summary>
    [Id(28)] public long? StartingBalanceCents { get; set; }

    [Id(29)] public long? EndingBalanceCents { get; set; }

    /// <summary>Stripe's <c>attempt_count</c> (charge attempts) when the invoice was last read.</summary>
    [Id(30)] public long ChargeAttempts { get; set; }

    /// <summary><see cref="ChargeAttempts"/> before our charge request: more afterwards means it ran.</summary>
    [Id(31)] public long ChargeAttemptsBefore { get; set; }

    /// <summary>Failed attempts in a row of the Stripe work while it is retried (0 otherwise).</summary>
    [Id(32)] public int FailedAttempts { get; set; }

    /// <summary>When failing Stripe work is tried next.</summary>
    [Id(33)] public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>When a send request was first about to go out (billing clock): from then on, a send goes again only after Stripe's events show none.</summary>
    [Id(34)] public DateTimeOffset? SendRequestedAt { get; set; }

    /// <summary>Stripe's <c>status_transitions.finalized_at</c>, on Stripe's clock: where the search for our <c>invoice.sent</c> event starts.</summary>
    [Id(35)] public DateTimeOffset? StripeFinalizedAt { get; set; }
}
