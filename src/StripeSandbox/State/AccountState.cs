using System.Collections.Concurrent;

namespace TenantBilling.StripeSandbox.State;

/// <summary>
/// Everything one Stripe account owns. One lock per account: requests of different accounts never
/// contend, and each request sees and leaves its account consistent.
/// </summary>
internal sealed class AccountState(string id, bool isConnected)
{
    public string Id { get; } = id;

    /// <summary>Reached through <c>Stripe-Account</c> (Connect); its events carry <c>account</c>.</summary>
    public bool IsConnected { get; } = isConnected;

    public Lock Gate { get; } = new();

    public Dictionary<string, CustomerRecord> Customers { get; } = new(StringComparer.Ordinal);

    /// <summary>Customers deleted (no longer in <see cref="Customers"/>): retrieving one answers Stripe's deleted stub.</summary>
    public HashSet<string> DeletedCustomerIds { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, InvoiceRecord> Invoices { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, InvoiceItemRecord> InvoiceItems { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, PaymentMethodRecord> PaymentMethods { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, TaxRateRecord> TaxRates { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, DiscountRecord> Coupons { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, CreditNoteRecord> CreditNotes { get; } = new(StringComparer.Ordinal);

    public List<FakeEvent> Events { get; } = [];

    public long InvoiceSequence { get; set; }

    /// <summary>The account's own default currency (Stripe's for invoices that name none); null: the fake's default.</summary>
    public string? DefaultCurrency { get; set; }
}

/// <summary>All accounts, created on first use.</summary>
internal sealed class AccountStore
{
    private readonly ConcurrentDictionary<string, AccountState> accounts = new(StringComparer.Ordinal);

    public AccountState Get(string accountId, bool isConnected) =>
        this.accounts.GetOrAdd(accountId, static (id, connected) => new AccountState(id, connected), isConnected);

    public AccountState? Find(string accountId) => this.accounts.GetValueOrDefault(accountId);

    public IEnumerable<AccountState> All => this.accounts.Values;
}
