using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

public sealed class InvoiceItemTests
{
    [Fact]
    public async Task Item_created_with_an_invoice_becomes_its_line_and_is_not_pending_for_another_invoice()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var first = await client.NewDraftAsync(customer.Id);

        var item = await client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer.Id,
            Invoice = first.Id,
            Amount = 1234,
            Currency = "usd",
            Description = "Phantom tenant fee",
        });
        var second = await client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id,
            CollectionMethod = "send_invoice",
            DaysUntilDue = 30,
            PendingInvoiceItemsBehavior = "include",
        });
        var pending = await client.V1.InvoiceItems.ListAsync(new InvoiceItemListOptions { Customer = customer.Id, Pending = true });
        var firstNow = await client.V1.Invoices.GetAsync(first.Id);

        Assert.Equal(first.Id, item.InvoiceId);
        Assert.Equal([item.Id], firstNow.Lines.Data.Select(l => l.Parent.InvoiceItemDetails.InvoiceItem));
        Assert.Equal(1234, firstNow.Total);
        Assert.Empty(second.Lines.Data);
        Assert.Equal(0, second.Total);
        Assert.Empty(pending.Data);
    }

    [Fact]
    public async Task Pending_item_joins_the_next_invoice_only_when_it_includes_pending_items()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var item = await client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer.Id,
            PriceData = new InvoiceItemPriceDataOptions { Currency = "usd", Product = "prod_minutes", UnitAmount = 5 },
            Quantity = 40,
        });

        var excluded = await client.NewDraftAsync(customer.Id);
        var included = await client.V1.Invoices.CreateAsync(new InvoiceCreateOptions
        {
            Customer = customer.Id,
            CollectionMethod = "send_invoice",
            DaysUntilDue = 30,
            PendingInvoiceItemsBehavior = "include",
        });

        Assert.Null(item.InvoiceId);
        Assert.Equal(5 * 40, item.Amount);
        Assert.Empty(excluded.Lines.Data);
        Assert.Equal([item.Id], included.Lines.Data.Select(l => l.Parent.InvoiceItemDetails.InvoiceItem));
        Assert.Equal(5 * 40, included.Total);
    }

    [Fact]
    public async Task Item_for_a_finalized_invoice_is_refused()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var draft = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(draft.Id, 100);
        await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);

        var error = await Assert.ThrowsAsync<StripeException>(() => client.V1.InvoiceItems.CreateAsync(new InvoiceItemCreateOptions
        {
            Customer = customer.Id,
            Invoice = draft.Id,
            Amount = 50,
        }));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal(100, (await client.V1.Invoices.GetAsync(draft.Id)).Total);
    }
}
