using System.Net;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

/// <summary>What changes an invoice's total and amount due in Stripe: coupons, balances, the minimum and the maximum charge.</summary>
public sealed class TotalsTests
{
    [Fact]
    public async Task A_customer_coupon_is_inherited_unless_the_invoice_is_created_with_no_discounts_and_never_touches_non_discountable_lines()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        server.SetCustomerDiscount(server.PlatformAccountId(StripeClients.PlatformKey), customer.Id, 10m);
        InvoiceLineOptions[] lines = [new() { Amount = 10_000 }, new() { Amount = 2_000, Discountable = false }];

        var inherited = await client.NewDraftAsync(customer.Id);
        inherited = await client.V1.Invoices.AddLinesAsync(inherited.Id, new InvoiceAddLinesOptions { Lines = [.. lines] });
        var none = await client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, CollectionMethod = "send_invoice", DaysUntilDue = 30, Discounts = [] });
        none = await client.V1.Invoices.AddLinesAsync(none.Id, new InvoiceAddLinesOptions { Lines = [.. lines] });

        Assert.Equal((12_000L, 11_000L), (inherited.Subtotal, inherited.Total));   // 10 % of the discountable 10,000 only
        Assert.Single(inherited.TotalDiscountAmounts);
        Assert.Equal((12_000L, 12_000L), (none.Subtotal, none.Total));
        Assert.Empty(none.TotalDiscountAmounts);
        Assert.False(none.Lines.Data[1].Discountable);
    }

    [Fact]
    public async Task A_credit_balance_lowers_the_amount_due_at_finalization_but_not_the_total()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.V1.Customers.CreateAsync(new CustomerCreateOptions { Name = "Credited", Balance = -300 });
        var draft = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(draft.Id, 1_000);

        var finalized = await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);

        Assert.Equal((1_000L, 700L, -300L, 0L), (finalized.Total, finalized.AmountDue, finalized.StartingBalance, finalized.EndingBalance ?? 99));
        Assert.Equal(0, (await client.V1.Customers.GetAsync(customer.Id)).Balance);
    }

    [Fact]
    public async Task An_automatic_invoice_due_under_the_minimum_charge_is_paid_at_finalization_and_its_amount_goes_to_the_next_invoice()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var small = await client.NewDraftAsync(customer.Id, "charge_automatically");
        await client.AddAmountLineAsync(small.Id, 30);

        var finalized = await client.V1.Invoices.FinalizeInvoiceAsync(small.Id);
        var paying = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.PayAsync(small.Id));
        var next = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(next.Id, 1_000);
        var nextFinalized = await client.V1.Invoices.FinalizeInvoiceAsync(next.Id);

        Assert.Equal(("paid", 30L, 0L, 0L), (finalized.Status, finalized.Total, finalized.AmountDue, finalized.AmountPaid));
        Assert.Equal("invoice_already_paid", paying.StripeError.Code);
        Assert.True(server.FindInvoice(server.PlatformAccountId(StripeClients.PlatformKey), small.Id)!.PaidBelowMinimum);
        Assert.Equal((1_000L, 1_030L, 30L), (nextFinalized.Total, nextFinalized.AmountDue, nextFinalized.StartingBalance));
    }

    [Fact]
    public async Task A_sent_invoice_under_the_minimum_stays_open()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(draft.Id, 30);

        var finalized = await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);

        Assert.Equal(("open", 30L), (finalized.Status, finalized.AmountDue));
    }

    [Fact]
    public async Task Amounts_over_the_maximum_charge_are_refused_on_a_line_and_at_finalization()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);

        var line = await Assert.ThrowsAsync<StripeException>(() => client.AddAmountLineAsync(draft.Id, 100_000_000));
        await client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions { Lines = [new() { Amount = 99_999_999 }, new() { Amount = 1 }] });
        var finalize = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.FinalizeInvoiceAsync(draft.Id));

        Assert.Equal("amount_too_large", line.StripeError.Code);
        Assert.Equal((HttpStatusCode.BadRequest, "amount_too_large"), (finalize.HttpStatusCode, finalize.StripeError.Code));
        Assert.Equal("draft", (await client.V1.Invoices.GetAsync(draft.Id)).Status);
    }

    [Fact]
    public async Task A_legacy_default_source_card_is_charged_when_there_is_no_default_payment_method()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var card = server.AttachCard(server.PlatformAccountId(StripeClients.PlatformKey), customer.Id, style: SavedCardStyle.LegacySource);
        var draft = await client.NewDraftAsync(customer.Id, "charge_automatically");
        await client.AddAmountLineAsync(draft.Id, 2_500);

        var read = await client.V1.Customers.GetAsync(customer.Id);
        var paid = await client.V1.Invoices.PayAsync(draft.Id);

        Assert.StartsWith("card_", card, StringComparison.Ordinal);
        Assert.Equal((card, null), (read.DefaultSourceId, read.InvoiceSettings?.DefaultPaymentMethodId));
        Assert.Equal(("paid", 2_500L), (paid.Status, paid.AmountPaid));
    }
}
