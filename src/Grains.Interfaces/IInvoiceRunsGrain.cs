namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// The record of one account's invoices in flight in Stripe, keyed by the account id. An invoice is entered
/// when it is handed over (or retried) and leaves when it is done; while any is in it, one reminder pings them
/// all every retry interval, so an invoice whose run stopped with its process goes on (it reads Stripe first).
/// Entries are written in batches and leaving is written lazily, so a billing day costs a few writes per account.
/// </summary>
public interface IInvoiceRunsGrain : IGrainWithStringKey
{
    /// <summary>Enters the invoice; when this returns, the entry is stored (a repeat costs nothing).</summary>
    Task StartedAsync(string invoiceKey);

    /// <summary>The invoice is done: it leaves the record (stored with a later write).</summary>
    [OneWay]
    Task FinishedAsync(string invoiceKey);

    /// <summary>Pings every invoice in the record now, so each unfinished one goes on (e.g. after a silo starts); the count still in flight.</summary>
    Task<int> ResumeAllAsync();
}
