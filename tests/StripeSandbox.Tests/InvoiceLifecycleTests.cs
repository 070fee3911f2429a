using System.Net;
using Microsoft.Extensions.Time.Testing;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

public sealed class InvoiceLifecycleTests
{
    [Fact]
    public async Task Create_add_lines_finalize_send_gives_Stripe_totals_number_and_due_date()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 4, 5, 9, 0, 0, TimeSpan.Zero));
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { TimeProvider = clock });
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();

        var draft = await client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id,
            CollectionMethod = "send_invoice",
            DaysUntilDue = 15,
            AutoAdvance = false,
            Description = "March 2026",
            PendingInvoiceItemsBehavior = "exclude",
            Metadata = new Dictionary<string, string> { ["billing_key"] = "acct-1/t-1/2026-03" },
        });
        var withLines = await client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions
        {
            Lines =
            [
                new InvoiceLineOptions { Amount = 1999, Description = "SIP trunk channels" },
                new InvoiceLineOptions
                {
                    Description = "Outbound minutes",
                    Quantity = 3,
                    PriceData = new InvoiceLinePriceDataOptions
                    {
                        Currency = "usd",
                        UnitAmountDecimal = 250.5m,
                        ProductData = new InvoiceLinePriceDataProductDataOptions { Name = "Outbound minutes" },
                    },
                },
            ],
        });
        clock.Advance(TimeSpan.FromHours(1));
        var finalized = await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        var sent = await client.V1.Invoices.SendInvoiceAsync(draft.Id);

        var expectedTotal = 1999 + (long)Math.Round(3 * 250.5m, MidpointRounding.AwayFromZero);
        Assert.Equal("draft", draft.Status);
        Assert.Null(draft.Number);
        Assert.Equal(0, draft.Total);
        Assert.Equal(2, withLines.Lines.Data.Count);
        Assert.Equal(expectedTotal, withLines.Subtotal);
        Assert.Equal([1999L, expectedTotal - 1999], withLines.Lines.Data.Select(l => l.Amount));
        Assert.Equal(3, withLines.Lines.Data[1].Quantity);
        Assert.Equal(250.5m, withLines.Lines.Data[1].Pricing.UnitAmountDecimal);
        Assert.Equal("open", finalized.Status);
        Assert.Equal($"{customer.InvoicePrefix}-0001", finalized.Number);
        Assert.Equal(expectedTotal, finalized.Total);
        Assert.Equal(expectedTotal, finalized.AmountDue);
        Assert.Equal(0, finalized.AmountPaid);
        Assert.Equal(expectedTotal, finalized.AmountRemaining);
        Assert.NotNull(finalized.HostedInvoiceUrl);
        Assert.Equal(clock.GetUtcNow().UtcDateTime, finalized.StatusTransitions.FinalizedAt);
        Assert.Equal(clock.GetUtcNow().AddDays(15).UtcDateTime, finalized.DueDate);
        Assert.Equal("acct-1/t-1/2026-03", finalized.Metadata["billing_key"]);
        Assert.Equal("March 2026", finalized.Description);
        Assert.Equal("open", sent.Status);
        Assert.Equal(1, server.FindInvoice(server.PlatformAccountId(StripeClients.PlatformKey), draft.Id)!.SendCount);
    }

    [Fact]
    public async Task Numbers_follow_the_customer_sequence()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var numbers = new List<string>();
        for (var i = 0; i < 2; i++)
        {
            var draft = await client.NewDraftAsync(customer.Id);
            await client.AddAmountLineAsync(draft.Id, 500);
            numbers.Add((await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id)).Number);
        }

        Assert.Equal([$"{customer.InvoicePrefix}-0001", $"{customer.InvoicePrefix}-0002"], numbers);
    }

    [Fact]
    public async Task Pay_with_a_saved_good_card_marks_the_invoice_paid()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        server.AttachCard(server.PlatformAccountId(StripeClients.PlatformKey), customer.Id, FakeCard.Visa);
        var draft = await client.NewDraftAsync(customer.Id, "charge_automatically");
        await client.AddAmountLineAsync(draft.Id, 4200);
        await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);

        var paid = await client.V1.Invoices.PayAsync(draft.Id, new InvoicePayOptions { OffSession = true });

        Assert.Equal("paid", paid.Status);
        Assert.Equal(4200, paid.AmountPaid);
        Assert.Equal(0, paid.AmountRemaining);
        Assert.True(paid.Attempted);
        Assert.Equal(1, paid.AttemptCount);
        Assert.NotNull(paid.StatusTransitions.PaidAt);
    }

    [Fact]
    public async Task Pay_with_a_declining_card_throws_card_error_and_leaves_the_invoice_open_with_the_attempt()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        server.AttachCard(server.PlatformAccountId(StripeClients.PlatformKey), customer.Id, FakeCard.Declined);
        var draft = await client.NewDraftAsync(customer.Id, "charge_automatically");
        await client.AddAmountLineAsync(draft.Id, 4200);
        await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);

        var error = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.PayAsync(draft.Id));
        var after = await client.V1.Invoices.GetAsync(draft.Id);

        Assert.Equal(HttpStatusCode.PaymentRequired, error.HttpStatusCode);
        Assert.Equal("card_error", error.StripeError.Type);
        Assert.Equal("card_declined", error.StripeError.Code);
        Assert.Equal("generic_decline", error.StripeError.DeclineCode);
        Assert.Equal("open", after.Status);
        Assert.True(after.Attempted);
        Assert.Equal(1, after.AttemptCount);
        Assert.Equal(0, after.AmountPaid);
        Assert.Equal(4200, after.AmountRemaining);
    }

    [Fact]
    public async Task Pay_with_insufficient_funds_test_card_id_reports_its_decline_code()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Name = "Broke Tenant",
            PaymentMethod = "pm_card_chargeDeclinedInsufficientFunds",
        });
        var draft = await client.NewDraftAsync(customer.Id, "charge_automatically");
        await client.AddAmountLineAsync(draft.Id, 100);

        var noDefault = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.PayAsync(draft.Id));
        var pm = server.Customers(server.PlatformAccountId(StripeClients.PlatformKey)).Single().DefaultPaymentMethodId;
        var declined = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.PayAsync(draft.Id, new InvoicePayOptions { PaymentMethod = "pm_card_chargeDeclinedInsufficientFunds" }));

        Assert.Null(pm);
        Assert.Equal(HttpStatusCode.BadRequest, noDefault.HttpStatusCode);
        Assert.Equal("insufficient_funds", declined.StripeError.DeclineCode);
    }

    [Fact]
    public async Task Void_an_open_invoice_and_refuse_to_void_a_draft()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(draft.Id, 700);

        var draftVoid = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.VoidInvoiceAsync(draft.Id));
        await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        var voided = await client.V1.Invoices.VoidInvoiceAsync(draft.Id);

        Assert.Equal(HttpStatusCode.BadRequest, draftVoid.HttpStatusCode);
        Assert.Equal("void", voided.Status);
        Assert.NotNull(voided.StatusTransitions.VoidedAt);
        Assert.Equal(700, voided.Total);
    }

    [Fact]
    public async Task Mark_uncollectible_moves_an_open_invoice_to_uncollectible()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(draft.Id, 700);
        await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);

        var marked = await client.V1.Invoices.MarkUncollectibleAsync(draft.Id);

        Assert.Equal("uncollectible", marked.Status);
        Assert.NotNull(marked.StatusTransitions.MarkedUncollectibleAt);
    }

    [Fact]
    public async Task Adding_lines_to_a_finalized_invoice_is_refused()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(draft.Id, 700);
        await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);

        var error = await Assert.ThrowsAsync<StripeException>(() => client.AddAmountLineAsync(draft.Id, 100));

        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal(700, (await client.V1.Invoices.GetAsync(draft.Id)).Total);
    }

    [Fact]
    public async Task Finalizing_an_empty_invoice_pays_it_at_once()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);

        var finalized = await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);

        Assert.Equal("paid", finalized.Status);
        Assert.Equal(0, finalized.AmountDue);
    }

    [Fact]
    public async Task Send_is_refused_for_charge_automatically_invoices()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id, "charge_automatically");

        var error = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.SendInvoiceAsync(draft.Id));

        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal("invalid_request_error", error.StripeError.Type);
    }

    [Fact]
    public async Task List_returns_newest_first_with_cursor_pagination_and_customer_filter()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var a = await client.NewCustomerAsync("A");
        var b = await client.NewCustomerAsync("B");
        var created = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            created.Add((await client.NewDraftAsync(a.Id)).Id);
        }

        await client.NewDraftAsync(b.Id);

        var first = await client.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = a.Id, Limit = 2 });
        var second = await client.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = a.Id, Limit = 2, StartingAfter = first.Data[^1].Id });

        Assert.Equal([created[2], created[1]], first.Data.Select(i => i.Id));
        Assert.True(first.HasMore);
        Assert.Equal([created[0]], second.Data.Select(i => i.Id));
        Assert.False(second.HasMore);
    }

    [Fact]
    public async Task Lines_endpoint_pages_past_the_ten_lines_embedded_in_the_invoice()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);
        var amounts = Enumerable.Range(1, 12).Select(i => (long)i * 100).ToList();
        var invoice = await client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions
        {
            Lines = amounts.Select(a => new InvoiceLineOptions { Amount = a, Description = $"line {a}" }).ToList(),
        });

        var lines = new List<InvoiceLineItem>();
        await foreach (var line in client.V1.Invoices.LineItems.ListAutoPagingAsync(draft.Id, new InvoiceLineItemListOptions { Limit = 5 }))
        {
            lines.Add(line);
        }

        Assert.Equal(10, invoice.Lines.Data.Count);
        Assert.True(invoice.Lines.HasMore);
        Assert.Equal(amounts.Sum(), invoice.Total);
        Assert.Equal(amounts, lines.Select(l => l.Amount));
    }

    [Fact]
    public async Task Invoices_list_by_customer_and_created_range_at_once()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 4, 5, 9, 0, 0, TimeSpan.Zero));
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { TimeProvider = clock });
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var early = await client.NewDraftAsync(customer.Id);
        clock.Advance(TimeSpan.FromHours(2));
        var late = await client.NewDraftAsync(customer.Id);

        var all = await client.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customer.Id });
        var recent = await client.V1.Invoices.ListAsync(new InvoiceListOptions { Customer = customer.Id, Created = new DateRangeOptions { GreaterThanOrEqual = clock.GetUtcNow().AddHours(-1).UtcDateTime } });

        Assert.Equal([late.Id, early.Id], all.Data.Select(i => i.Id));
        Assert.Equal([late.Id], recent.Data.Select(i => i.Id));
    }
}
