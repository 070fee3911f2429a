using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Ledger;
using TenantBilling.Grains.Tests.Support;

namespace TenantBilling.Grains.Tests;

/// <summary>The account ledger records each invoice's fee and taxes once, in pages, so a record never rewrites the month.</summary>
[Collection(BillingClusterTests.Name)]
public sealed class LedgerTests(BillingCluster cluster)
{
    private static readonly DateTimeOffset Finalized = new(2026, 11, 20, 0, 0, 0, TimeSpan.Zero);

    private static PhantomFee Fee(string ledger, int i, decimal amount = 5m) =>
        new($"{ledger}/t{i}/2026-10", $"t{i}", amount, 3.75m, Finalized, $"in_{i}", $"N-{i}");

    private static TaxReportEntry Taxes(string ledger, int i) =>
        new($"{ledger}/t{i}/2026-10", $"t{i}", $"N-{i}", $"in_{i}", Finalized,
            new List<InvoiceTaxLine> { new("US-FUSF", "Federal USF", TaxLevel.Federal, TaxClass.Federal, "US", 0.38m, null, 10m, null, 3.80m) }, Voided: false);

    [Fact]
    public async Task A_page_write_answered_before_the_ledger_awaited_it_leaves_the_ledger_writing_later_records()
    {
        var key = NewLedgerKey();
        var ledger = cluster.Grains.GetGrain<IAccountLedgerGrain>(key);
        await ledger.ListFeesAsync();

        // The first record's page write is done before the ledger's await looks: its writer finishes inside the call.
        var firedBefore = cluster.Faults.Fired;
        cluster.Faults.AnswerNextCallFirst(nameof(IAccountLedgerPageGrain.AppendAsync));
        await ledger.RecordPhantomFeeAsync(Fee(key, 1));
        Assert.Equal(firedBefore + 1, cluster.Faults.Fired);

        // A later record is written too (a writer thought at work forever would leave it waiting, and every record after it).
        await ledger.RecordPhantomFeeAsync(Fee(key, 2)).WaitAsync(TimeSpan.FromSeconds(20));
        await ledger.RecordTaxesAsync(Taxes(key, 2)).WaitAsync(TimeSpan.FromSeconds(20));
        Assert.Equal(2, (await ledger.ListFeesAsync()).Count);
        Assert.Single(await ledger.ListTaxesAsync());
    }

    [Fact]
    public async Task Records_fill_pages_in_order_each_invoice_once_and_a_repeat_adds_nothing_even_after_a_restart()
    {
        var key = NewLedgerKey();
        var ledger = cluster.Grains.GetGrain<IAccountLedgerGrain>(key);
        const int invoices = 5 * AccountLedgerGrain.PageSize + 3;

        // All at once, each twice (a repeat while the first is being written, as a retried invoice would).
        await Task.WhenAll(Enumerable.Range(0, invoices).SelectMany(i => new[]
        {
            ledger.RecordTaxesAsync(Taxes(key, i)), ledger.RecordTaxesAsync(Taxes(key, i)), ledger.RecordPhantomFeeAsync(Fee(key, i)),
        }));
        await ledger.RecordPhantomFeeAsync(Fee(key, 0, amount: 500m));   // a fee is never changed

        Assert.Equal(invoices, (await ledger.ListTaxesAsync()).Select(t => t.InvoiceKey).Distinct().Count());
        Assert.Equal(invoices, (await ledger.ListTaxesAsync()).Count);
        Assert.Equal(invoices, (await ledger.ListFeesAsync()).Count);
        Assert.Equal(5m, (await ledger.ListFeesAsync()).Single(f => f.InvoiceKey == Fee(key, 0).InvoiceKey).Amount);

        // The month's own state holds nothing; each page at most a page's worth.
        Assert.Empty((await ReadAsync("account-ledger", key)).Fees);
        var pages = new List<AccountLedgerState>();
        for (var page = 0; (await ReadAsync("account-ledger-page", GrainKeys.AccountLedgerPage(key, page))) is { } state && state.Fees.Count + state.Taxes.Count > 0; page++)
        {
            pages.Add(state);
        }

        Assert.All(pages, p => Assert.InRange(p.Fees.Count + p.Taxes.Count, 1, AccountLedgerGrain.PageSize));
        Assert.Equal(2 * invoices, pages.Sum(p => p.Fees.Count + p.Taxes.Count));

        await cluster.DeactivateAllAsync();
        await ledger.RecordTaxesAsync(Taxes(key, 7));
        await ledger.RecordPhantomFeeAsync(Fee(key, invoices + 1));
        Assert.Equal(invoices, (await ledger.ListTaxesAsync()).Count);
        Assert.Equal(invoices + 1, (await ledger.ListFeesAsync()).Count);
    }

    [Fact]
    public async Task Voided_taxes_are_marked_on_their_page_and_a_void_of_unknown_taxes_changes_nothing()
    {
        var key = NewLedgerKey();
        var ledger = cluster.Grains.GetGrain<IAccountLedgerGrain>(key);
        for (var i = 0; i < AccountLedgerGrain.PageSize + 2; i++)
        {
            await ledger.RecordTaxesAsync(Taxes(key, i));
        }

        await ledger.VoidTaxesAsync(Taxes(key, 1).InvoiceKey);
        await ledger.VoidTaxesAsync(Taxes(key, AccountLedgerGrain.PageSize + 1).InvoiceKey);
        await ledger.VoidTaxesAsync($"{key}/nobody/2026-10");
        await cluster.DeactivateAllAsync();

        var voided = (await ledger.ListTaxesAsync()).Where(t => t.Voided).Select(t => t.InvoiceKey).ToList();
        Assert.Equal([Taxes(key, 1).InvoiceKey, Taxes(key, AccountLedgerGrain.PageSize + 1).InvoiceKey], voided);
    }

    [Fact]
    public async Task What_an_earlier_version_recorded_in_the_month_itself_is_listed_first_deduplicated_and_can_be_voided()
    {
        var key = NewLedgerKey();
        await WriteAsync("account-ledger", key, new AccountLedgerState { Fees = [Fee(key, 1)], Taxes = [Taxes(key, 1)] });
        var ledger = cluster.Grains.GetGrain<IAccountLedgerGrain>(key);

        await ledger.RecordPhantomFeeAsync(Fee(key, 1));
        await ledger.RecordTaxesAsync(Taxes(key, 1));
        await ledger.RecordTaxesAsync(Taxes(key, 2));
        await ledger.VoidTaxesAsync(Taxes(key, 1).InvoiceKey);

        Assert.Equal([Fee(key, 1).InvoiceKey], (await ledger.ListFeesAsync()).Select(f => f.InvoiceKey));
        Assert.Equal([(Taxes(key, 1).InvoiceKey, true), (Taxes(key, 2).InvoiceKey, false)], (await ledger.ListTaxesAsync()).Select(t => (t.InvoiceKey, t.Voided)));
        Assert.True(Assert.Single((await ReadAsync("account-ledger", key)).Taxes).Voided);
    }

    private static string NewLedgerKey() => GrainKeys.AccountLedger($"acct-{Guid.NewGuid():N}"[..20], "2026-11");

    private IGrainStorage Storage => cluster.Cluster.GetSiloServiceProvider(cluster.Cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(StorageNames.Billing);

    private async Task<AccountLedgerState> ReadAsync(string type, string key)
    {
        var state = new GrainState<AccountLedgerState>(new AccountLedgerState());
        await Storage.ReadStateAsync(type, GrainId.Create(type, key), state);
        return state.State ?? new AccountLedgerState();
    }

    private Task WriteAsync(string type, string key, AccountLedgerState value) =>
        Storage.WriteStateAsync(type, GrainId.Create(type, key), new GrainState<AccountLedgerState>(value));
}
