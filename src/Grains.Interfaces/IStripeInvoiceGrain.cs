using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// One invoice, keyed by its invoice key (<see cref="GrainKeys.MonthlyInvoice"/> or
/// <see cref="GrainKeys.OneTimeInvoice"/>): the draft it was handed, its Stripe ids and status.
/// </summary>
public interface IStripeInvoiceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Takes over a composed invoice and sends it through Stripe in the background. Idempotent: the
    /// first draft for the key wins and a repeat returns the invoice as it stands.
    /// </summary>
    Task<InvoiceSummary> SubmitAsync(InvoiceDraft draft);

    /// <summary>The invoice as it stands, or null when nothing was handed over for the key.</summary>
    [AlwaysInterleave]
    Task<InvoiceSummary?> GetSummaryAsync();

    /// <summary>The draft that was handed over, or null.</summary>
    [AlwaysInterleave]
    Task<InvoiceDraft?> GetDraftAsync();

    /// <summary>Continues a held or interrupted invoice now (after a reconnect); does nothing to a finished one.</summary>
    Task ResumeAsync();

    /// <summary>Tries a failed invoice again from the step that failed. Conflict unless it failed.</summary>
    Task<InvoiceSummary> RetryAsync();

    /// <summary>Records what a Stripe webhook says about the invoice. The same event twice changes nothing.</summary>
    Task<bool> ApplyStripeEventAsync(StripeInvoiceEvent stripeEvent);
}

/// <summary>
/// The Stripe customer of one tenant, keyed like the tenant (<c>{accountId}/{tenantId}</c>): created
/// on first need, updated when the tenant's data changes.
/// </summary>
public interface IStripeCustomerGrain : IGrainWithStringKey
{
    /// <summary>Takes the tenant's current data; an existing customer is updated in Stripe.</summary>
    Task SyncAsync(TenantDetails details);

    /// <summary>The customer's id, creating or updating the customer in Stripe first when needed.</summary>
    Task<string> EnsureAsync(StripeAccess access);

    /// <summary>Stripe says the customer is gone (deleted): the next <see cref="EnsureAsync"/> creates a new one.</summary>
    Task ForgetAsync(string customerId);

    /// <summary>The Stripe customer id, or null before the first invoice.</summary>
    [AlwaysInterleave]
    Task<string?> GetIdAsync();
}

/// <summary>
/// Paces one account's Stripe requests across the whole cluster (one activation per account): each
/// request gets a slot at most <c>requestsPerSecond</c> per second.
/// </summary>
public interface IStripePacerGrain : IGrainWithStringKey
{
    /// <summary>Reserves <paramref name="requests"/> consecutive slots; the answer is how long to wait before each.</summary>
    Task<TimeSpan[]> ReserveAsync(int requests, int requestsPerSecond);
}

/// <summary>
/// An account's ledger for one month, keyed <see cref="GrainKeys.AccountLedger"/>: phantom-tenant fees
/// and the taxes of invoices sent that month.
/// </summary>
public interface IAccountLedgerGrain : IGrainWithStringKey
{
    /// <summary>Records a fee once per invoice. There is no way to change or remove one.</summary>
    Task RecordPhantomFeeAsync(PhantomFee fee);

    [AlwaysInterleave]
    Task<IReadOnlyList<PhantomFee>> ListFeesAsync();

    /// <summary>Records the taxes of a sent invoice once.</summary>
    Task RecordTaxesAsync(TaxReportEntry entry);

    /// <summary>
    /// An invoice of this month was voided. While the month is open its taxes are left out of its report; once
    /// it has closed, its report never changes, and the taxes go back as adjustment rows in the month of the void.
    /// </summary>
    Task VoidTaxesAsync(string invoiceKey);

    /// <summary>Records, once per <see cref="TaxReportEntry.RecordKey"/>, taxes given back on an earlier invoice (negative amounts).</summary>
    Task RecordTaxAdjustmentAsync(TaxReportEntry adjustment);

    [AlwaysInterleave]
    Task<IReadOnlyList<TaxReportEntry>> ListTaxesAsync();
}

/// <summary>The invoice keys of one tenant for one calendar year, keyed <see cref="GrainKeys.InvoiceHistory"/>.</summary>
public interface IInvoiceHistoryGrain : IGrainWithStringKey
{
    /// <summary>Adds an invoice key (idempotent).</summary>
    Task AddAsync(string invoiceKey);

    /// <summary>The year's invoice keys in the order they were added.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync();
}
