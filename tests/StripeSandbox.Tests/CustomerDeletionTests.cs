using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

/// <summary>A customer deleted in the Dashboard, as Stripe treats it afterwards.</summary>
public sealed class CustomerDeletionTests
{
    [Fact]
    public async Task A_deleted_customer_retrieves_as_a_stub_and_is_missing_for_updates_invoices_and_lists_while_its_invoices_stay()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var earlier = await client.NewDraftAsync(customer.Id);
        await client.AddAmountLineAsync(earlier.Id, 1_000);
        await client.V1.Invoices.FinalizeInvoiceAsync(earlier.Id);

        var deleted = await client.V1.Customers.DeleteAsync(customer.Id);

        Assert.Equal((customer.Id, true), (deleted.Id, deleted.Deleted));
        var stub = await client.V1.Customers.GetAsync(customer.Id);
        Assert.Equal((customer.Id, true, null), (stub.Id, stub.Deleted, stub.Email));
        var update = await Assert.ThrowsAsync<StripeException>(() => client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions { Name = "Again" }));
        Assert.Equal((404, "resource_missing"), ((int)update.HttpStatusCode, update.StripeError.Code));
        var invoice = await Assert.ThrowsAsync<StripeException>(() => client.NewDraftAsync(customer.Id));
        Assert.Equal(("resource_missing", "customer"), (invoice.StripeError.Code, invoice.StripeError.Param));
        var again = await Assert.ThrowsAsync<StripeException>(() => client.V1.Customers.DeleteAsync(customer.Id));
        Assert.Equal("resource_missing", again.StripeError.Code);
        Assert.Empty((await client.V1.Customers.ListAsync(new CustomerListOptions { Email = "billing@acme.test" })).Data);
        Assert.Empty(server.Customers(server.PlatformAccountId(StripeClients.PlatformKey)));

        // Invoices made for the customer stay, and still name it.
        var kept = await client.V1.Invoices.GetAsync(earlier.Id);
        Assert.Equal((customer.Id, "open"), (kept.CustomerId, kept.Status));
    }
}
