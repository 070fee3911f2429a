using Microsoft.Extensions.Time.Testing;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

public sealed class CustomerTests
{
    [Fact]
    public async Task Create_then_retrieve_returns_the_fields_sent_and_the_fake_clock_as_created()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero));
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { TimeProvider = clock });
        var client = StripeClients.For(server);

        var created = await client.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Name = "Jane Contact",
            Description = "Acme Tenant",
            Email = "billing@acme.test",
            Phone = "+15550100",
            Address = new AddressOptions { Line1 = "1 Main St", City = "Austin", State = "TX", PostalCode = "78701", Country = "US" },
            Metadata = new Dictionary<string, string> { ["tenant_id"] = "t-1" },
        });
        var fetched = await client.V1.Customers.GetAsync(created.Id);

        Assert.StartsWith("cus_", created.Id, StringComparison.Ordinal);
        Assert.Equal("customer", fetched.Object);
        Assert.Equal("Jane Contact", fetched.Name);
        Assert.Equal("Acme Tenant", fetched.Description);
        Assert.Equal("billing@acme.test", fetched.Email);
        Assert.Equal("+15550100", fetched.Phone);
        Assert.Equal("78701", fetched.Address.PostalCode);
        Assert.Equal("TX", fetched.Address.State);
        Assert.Equal("t-1", fetched.Metadata["tenant_id"]);
        Assert.Equal(clock.GetUtcNow().UtcDateTime, fetched.Created);
    }

    [Fact]
    public async Task Update_changes_given_fields_merges_metadata_and_unsets_empty_values()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Name = "Old",
            Email = "old@acme.test",
            Phone = "+15550100",
            Metadata = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" },
        });

        var updated = await client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions
        {
            Name = "New",
            Phone = string.Empty,
            Metadata = new Dictionary<string, string> { ["b"] = string.Empty, ["c"] = "3" },
        });

        Assert.Equal("New", updated.Name);
        Assert.Equal("old@acme.test", updated.Email);
        Assert.Null(updated.Phone);
        Assert.Equal(new Dictionary<string, string> { ["a"] = "1", ["c"] = "3" }, updated.Metadata);
    }

    [Fact]
    public async Task Default_payment_method_can_be_set_with_a_test_card_id_and_is_expandable()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();

        var updated = await client.V1.Customers.UpdateAsync(customer.Id, new CustomerUpdateOptions
        {
            InvoiceSettings = new CustomerInvoiceSettingsOptions { DefaultPaymentMethod = "pm_card_visa" },
            Expand = ["invoice_settings.default_payment_method"],
        });

        Assert.StartsWith("pm_", updated.InvoiceSettings.DefaultPaymentMethodId, StringComparison.Ordinal);
        Assert.Equal("4242", updated.InvoiceSettings.DefaultPaymentMethod.Card.Last4);
        Assert.Equal(customer.Id, updated.InvoiceSettings.DefaultPaymentMethod.CustomerId);
    }

    [Fact]
    public async Task Unknown_customer_answers_404_resource_missing()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);

        var error = await Assert.ThrowsAsync<StripeException>(() => client.V1.Customers.GetAsync("cus_missing"));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.HttpStatusCode);
        Assert.Equal("invalid_request_error", error.StripeError.Type);
        Assert.Equal("resource_missing", error.StripeError.Code);
    }

    [Fact]
    public async Task Unknown_parameter_is_rejected_like_Stripe_does()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var options = new CustomerCreateOptions { Name = "x" };
        options.AddExtraParam("nickname", "y");

        var error = await Assert.ThrowsAsync<StripeException>(() => client.V1.Customers.CreateAsync(options));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal("parameter_unknown", error.StripeError.Code);
        Assert.Equal("nickname", error.StripeError.Param);
    }

    [Fact]
    public async Task Revoked_api_key_answers_401_and_any_other_test_key_is_accepted()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact with { RevokedApiKeys = ["sk_test_revoked"] });

        var error = await Assert.ThrowsAsync<StripeException>(() => StripeClients.For(server, "sk_test_revoked").NewCustomerAsync());
        var accepted = await StripeClients.For(server, "sk_test_anything_else").NewCustomerAsync();

        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, error.HttpStatusCode);
        Assert.Equal("api_key_expired", error.StripeError.Code);
        Assert.StartsWith("cus_", accepted.Id, StringComparison.Ordinal);
    }
}
