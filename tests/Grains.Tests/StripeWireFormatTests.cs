using Stripe;
using TenantBilling.Grains.Domain.Invoices;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces.Models;
using AccountSettings = TenantBilling.Grains.Interfaces.Models.AccountSettings;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// Our encoding of every request the invoice pipeline sends is byte for byte Stripe.net's for the options it was
/// given before (<see cref="StripeNetReference"/>), so a request retried under its idempotency key never meets a
/// different body, whichever of the two encoded the first attempt.
/// </summary>
public sealed class StripeWireFormatTests
{
    public static readonly TenantDetails Unicode = new(
        "Bob's Bakery & Café — 東京 🍞 100% [main]",
        "+1 (512) 555-0100",
        "billing+bob@bäckerei.example",
        "José Ñúñez-O'Brien",
        "+15125550101",
        new PostalAddress("1 Rue de l'Église [Bldg 2]", "Suite #5 / a=b&c?d", "São Paulo ~ Zürich", "TX", "78701-1234", "US"));

    public static readonly TenantDetails NoSecondLine = new(
        "Plain Tenant",
        "+15125550100",
        "plain@example.com",
        "Ann Example",
        "+15125550100",
        new PostalAddress("100 Congress Ave", null, "Austin", "TX", "78701", "US"));

    public static readonly TenantDetails Empties = new(
        "Empty Fields",
        string.Empty,
        "empty@example.com",
        string.Empty,
        string.Empty,
        new PostalAddress("1 Main St", string.Empty, "Austin", "TX", "78701", "US"));

    public static IEnumerable<TenantDetails> AllDetails => [Unicode, NoSecondLine, Empties];

    /// <summary>Fourteen lines (more than Stripe embeds in an answer), most with several tax amounts: federal ones without a state, fixed fees at 0 %, rates with trailing zeros and four decimals.</summary>
    public static IReadOnlyList<StripeInvoiceLines.Line> ManyLines { get; } = Enumerable.Range(0, 14).Select(i => new StripeInvoiceLines.Line(
        AmountCents: i == 3 ? 0 : 1_200 + (i * 1_011),
        Description: i % 2 == 0 ? $"Outbound minutes ({12_345 + i:#,0} × $0.012)" : $"Hosted PBX seat — «Zürich» 東京 (5 × $19.99) [{i}]",
        TaxAmounts: i == 5 ? [] : [.. Enumerable.Range(0, 1 + (i % 4)).Select(j => Tax(i, j))])).ToList();

    private static StripeTaxAmount Tax(int line, int index) => index switch
    {
        0 => new(288 + line, 778 + line, "Federal USF", 37.000m, "US", "country", "US", null, "communications_tax", "USF-FED"),
        1 => new(61, 975, "Texas sales tax", 6.25m, "TX", "state", "US", "TX", "sales_tax", "TX-STATE"),
        2 => new(150, 0, "911 fee (per line)", 0m, "TRAVIS COUNTY", "county", "US", "TX", "communications_tax", "TX-911/48453"),
        _ => new(7, 5_678, "Städtische Gebühr & Co.", 0.1234m, "AUSTIN", "city", "US", "TX", "communications_tax", "TX-AUSTIN 4.5% [fee]"),
    };

    [Fact]
    public async Task A_customer_created_or_updated_is_sent_as_Stripe_net_sends_it()
    {
        using var wire = new RecordedWire();
        foreach (var details in AllDetails)
        {
            await wire.AssertSameRequestAsync(
                $"create customer {details.Name}",
                (gateway, access) => gateway.CreateCustomerAsync(access, "key-create", details, "acct-1/tenant-9 ü", default),
                (client, request) => new CustomerService(client).CreateAsync(StripeNetReference.CreateCustomer(details, "acct-1/tenant-9 ü"), request("key-create")));
            await wire.AssertSameRequestAsync(
                $"update customer {details.Name}",
                (gateway, access) => gateway.UpdateCustomerAsync(access, "key-update", "cus_Q1w2E3r4", details, default),
                (client, request) => new CustomerService(client).UpdateAsync("cus_Q1w2E3r4", StripeNetReference.UpdateCustomer(details), request("key-update")));
        }
    }

    [Fact]
    public async Task A_draft_invoice_is_sent_as_Stripe_net_sends_it_for_either_collection_and_with_or_without_its_customer()
    {
        using var wire = new RecordedWire();
        const string description = "Bob's Bakery & Café — October 2026 (usage 12,345 min × $0.012) 東京";
        foreach (var method in new[] { InvoiceLifecycle.SendInvoice, "charge_automatically" })
        {
            foreach (var readCustomer in new[] { false, true })
            {
                foreach (var days in new[] { 30, 0 })
                {
                    await wire.AssertSameRequestAsync(
                        $"create invoice {method} readCustomer={readCustomer} days={days}",
                        (gateway, access) => gateway.CreateInvoiceAsync(access with { Settings = new AccountSettings(days, 25) }, "key-invoice", "cus_Q1w2E3r4", "acct-1/tenant-9/2026-10#2", description, method, readCustomer, default),
                        (client, request) => new InvoiceService(client).CreateAsync(StripeNetReference.CreateInvoice("cus_Q1w2E3r4", "acct-1/tenant-9/2026-10#2", description, method, days, readCustomer), request("key-invoice")));
                }
            }
        }

        await wire.AssertSameRequestAsync(
            "switch to send_invoice",
            (gateway, access) => gateway.SwitchToSendInvoiceAsync(access with { Settings = new AccountSettings(45, 25) }, "key-switch", "in_1Pq2Rs3Tu", default),
            (client, request) => new InvoiceService(client).UpdateAsync("in_1Pq2Rs3Tu", StripeNetReference.SwitchToSendInvoice(45), request("key-switch")));
    }

    [Fact]
    public async Task Lines_with_their_tax_amounts_are_sent_as_Stripe_net_sends_them()
    {
        Assert.Contains(ManyLines, l => l.TaxAmounts.Count == 0);
        Assert.Contains(ManyLines.SelectMany(l => l.TaxAmounts), t => t.State is null);
        using var wire = new RecordedWire();
        foreach (var (shape, lines) in new (string, IReadOnlyList<StripeInvoiceLines.Line>)[]
        {
            ("14 lines", ManyLines), ("one line without taxes", [ManyLines[5]]), ("one line of 0 cents with taxes", [ManyLines[3]]),
        })
        {
            await wire.AssertSameRequestAsync(
                "add " + shape,
                (gateway, access) => gateway.AddLinesAsync(access, "key-lines", "in_1Pq2Rs3Tu", lines, default),
                (client, request) => new InvoiceService(client).AddLinesAsync("in_1Pq2Rs3Tu", StripeNetReference.AddLines(lines), request("key-lines")));
        }
    }

    [Fact]
    public async Task Finalize_send_pay_read_and_delete_are_sent_as_Stripe_net_sends_them()
    {
        using var wire = new RecordedWire();
        await wire.AssertSameRequestAsync(
            "finalize",
            (gateway, access) => gateway.FinalizeAsync(access, "key-finalize", "in_1Pq2Rs3Tu", default),
            (client, request) => new InvoiceService(client).FinalizeInvoiceAsync("in_1Pq2Rs3Tu", StripeNetReference.Finalize(), request("key-finalize")));
        await wire.AssertSameRequestAsync(
            "send",
            (gateway, access) => gateway.SendAsync(access, "key-send", "in_1Pq2Rs3Tu", default),
            (client, request) => new InvoiceService(client).SendInvoiceAsync("in_1Pq2Rs3Tu", null, request("key-send")));
        await wire.AssertSameRequestAsync(
            "pay",
            (gateway, access) => gateway.PayAsync(access, "key-pay", "in_1Pq2Rs3Tu", default),
            (client, request) => new InvoiceService(client).PayAsync("in_1Pq2Rs3Tu", StripeNetReference.Pay(), request("key-pay")));
        foreach (var readCustomer in new[] { false, true })
        {
            await wire.AssertSameRequestAsync(
                $"get invoice readCustomer={readCustomer}",
                (gateway, access) => gateway.GetInvoiceAsync(access, "in_1Pq2Rs3Tu", readCustomer, default),
                (client, request) => new InvoiceService(client).GetAsync("in_1Pq2Rs3Tu", readCustomer ? new InvoiceGetOptions { Expand = ["customer"] } : null, request(null)));
        }

        await wire.AssertSameRequestAsync(
            "delete draft",
            (gateway, access) => gateway.DeleteDraftAsync(access, "in_1Pq2Rs3Tu", default),
            (client, request) => new InvoiceService(client).DeleteAsync("in_1Pq2Rs3Tu", null, request(null)));
        await wire.AssertSameRequestAsync(
            "retrieve account",
            (gateway, access) => gateway.RetrieveAccountAsync(access, default),
            (client, request) => new AccountService(client).GetSelfAsync(request(null)));
        await wire.AssertSameRequestAsync(
            "check invoices readable",
            (gateway, access) => gateway.CheckInvoicesReadableAsync(access, default),
            (client, request) => new InvoiceService(client).ListAsync(new InvoiceListOptions { Limit = 1 }, request(null)));
    }

    [Fact]
    public async Task List_queries_are_sent_as_Stripe_net_sends_them()
    {
        using var wire = new RecordedWire();
        await wire.AssertSameRequestAsync(
            "list invoices",
            (gateway, access) => gateway.ListInvoicesAsync(access, "cus_Q1w2E3r4", "acct-1/tenant-9/2026-10#2", default),
            async (client, request) => { await foreach (var _ in new InvoiceService(client).ListAutoPagingAsync(StripeNetReference.ListInvoices("cus_Q1w2E3r4", null), request(null))) { } });
        foreach (var email in new[] { null, "billing+bob@bäckerei.example" })
        {
            await wire.AssertSameRequestAsync(
                $"list customers {email}",
                (gateway, access) => gateway.FindCustomerAsync(access, email, "acct-1/tenant-9", default),
                async (client, request) => { await foreach (var _ in new CustomerService(client).ListAutoPagingAsync(StripeNetReference.ListCustomers(email, null), request(null))) { } });
        }

        foreach (var after in new[] { null, "evt_1Pq2Rs3Tu" })
        {
            foreach (var since in new DateTimeOffset?[] { null, new DateTimeOffset(2026, 11, 20, 9, 30, 15, TimeSpan.Zero), new DateTimeOffset(2026, 11, 20, 4, 30, 15, TimeSpan.FromHours(-5)) })
            {
                await wire.AssertSameRequestAsync(
                    $"list sent events since {since} after {after}",
                    (gateway, access) => gateway.FindSentEventAsync(access, "in_1Pq2Rs3Tu", since, after, default),
                    (client, request) => new EventService(client).ListAsync(StripeNetReference.ListSentEvents(since, after), request(null)));
            }
        }
    }

    [Fact]
    public async Task The_next_page_of_a_list_is_asked_for_as_Stripe_net_asks_for_it()
    {
        using var wire = new RecordedWire(morePages: true);
        var ours = await wire.RecordAsync(ours: true, (gateway, access) => gateway.ListInvoicesAsync(access, "cus_Q1w2E3r4", "acct-1/tenant-9/2026-10#2", default), null);
        var theirs = await wire.RecordAsync(ours: false, null, async (client, request) => { await foreach (var _ in new InvoiceService(client).ListAutoPagingAsync(StripeNetReference.ListInvoices("cus_Q1w2E3r4", null), request(null))) { } });
        Assert.Equal(2, theirs.Count);
        Assert.Equal(theirs.Select(r => r.Uri), ours.Select(r => r.Uri));
        Assert.Contains("starting_after=in_page1", ours[1].Uri, StringComparison.Ordinal);

        var customers = await wire.RecordAsync(ours: true, (gateway, access) => gateway.FindCustomerAsync(access, "a@example.com", "acct-1/tenant-9", default), null);
        var theirCustomers = await wire.RecordAsync(ours: false, null, async (client, request) => { await foreach (var _ in new CustomerService(client).ListAutoPagingAsync(StripeNetReference.ListCustomers("a@example.com", null), request(null))) { } });
        Assert.Equal(theirCustomers.Select(r => r.Uri), customers.Select(r => r.Uri));
    }

    [Fact]
    public async Task Values_are_escaped_as_Stripe_net_escapes_them_character_by_character()
    {
        // Every ASCII character, a few of each UTF-8 length, and an unpaired surrogate (encoded as U+FFFD by both).
        var samples = Enumerable.Range(0, 128).Select(c => ((char)c).ToString())
            .Concat(["é", "€", "東", "🍞", "\uD83D", "a b+c%d&e=f[g]h", string.Empty]);
        using var wire = new RecordedWire();
        foreach (var value in samples)
        {
            var details = NoSecondLine with { Name = value };
            await wire.AssertSameRequestAsync(
                $"description U+{(value.Length > 0 ? value[0] : 0):X4}",
                (gateway, access) => gateway.UpdateCustomerAsync(access, "key-escape", "cus_Q1w2E3r4", details, default),
                (client, request) => new CustomerService(client).UpdateAsync("cus_Q1w2E3r4", StripeNetReference.UpdateCustomer(details), request("key-escape")));
        }
    }

    [Fact]
    public async Task A_Connect_account_is_reached_with_the_platform_key_and_its_account_header_as_Stripe_net_does()
    {
        using var wire = new RecordedWire();
        await wire.AssertSameRequestAsync(
            "finalize on a Connect account",
            (gateway, _) => gateway.FinalizeAsync(RecordedWire.Connect, "key-connect", "in_1Pq2Rs3Tu", default),
            (client, request) => new InvoiceService(client).FinalizeInvoiceAsync("in_1Pq2Rs3Tu", StripeNetReference.Finalize(), new RequestOptions { ApiKey = RecordedWire.PlatformKey, StripeAccount = "acct_connected1", IdempotencyKey = "key-connect" }));
        var sent = wire.Last;
        Assert.Equal("acct_connected1", sent.StripeAccount);
        Assert.Equal("Bearer " + RecordedWire.PlatformKey, sent.Authorization);
    }

    [Fact]
    public async Task An_account_whose_Stripe_is_not_connected_sends_nothing_and_fails_as_disconnected()
    {
        using var wire = new RecordedWire();
        var disconnected = new StripeAccess("acct-wire", StripeConnectionMode.NotConnected, null, null, AccountSettings.Default);
        StripeCallException? failure = null;
        var sent = await wire.RecordAsync(
            ours: true,
            async (gateway, _) => failure = await Assert.ThrowsAsync<StripeCallException>(() => gateway.FinalizeAsync(disconnected, "key-none", "in_1Pq2Rs3Tu", default)),
            null);

        Assert.Empty(sent);
        Assert.Equal(Domain.Stripe.StripeFailureKind.Disconnected, failure!.Kind);
    }
}
