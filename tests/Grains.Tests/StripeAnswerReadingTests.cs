using Stripe;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.StripeSandbox;

namespace TenantBilling.Grains.Tests;

/// <summary>
/// Our one-pass reading of Stripe's answers gives the snapshot Stripe.net's full object model gave
/// (<see cref="StripeNetReference"/>), for the fake's answers through a whole invoice and for the shapes Stripe
/// sends that the fake does not (expanded ids, legacy sources, nulls).
/// </summary>
public sealed class StripeAnswerReadingTests
{
    [Fact]
    public async Task Every_answer_of_an_invoice_s_life_in_the_fake_reads_as_Stripe_net_read_it()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = new StripeClient(new StripeClientOptions { ApiKey = "sk_test_answers", ApiBase = server.ApiBase, HttpClient = new SystemNetHttpClient(new HttpClient(), 0) });
        var account = server.PlatformAccountId("sk_test_answers");
        var invoices = new InvoiceService(client);

        var customer = await new CustomerService(client).CreateAsync(StripeNetReference.CreateCustomer(StripeWireFormatTests.Unicode, "acct-1/tenant-9"));
        AssertSameCustomer(customer);
        server.AttachCard(account, customer.Id);
        AssertSameCustomer(await new CustomerService(client).GetAsync(customer.Id));

        // Charged: created with its customer (and card), 14 lines with tax amounts, finalized, paid.
        var charged = await invoices.CreateAsync(StripeNetReference.CreateInvoice(customer.Id, "acct-1/tenant-9/2026-10", "October 2026", "charge_automatically", 30, readCustomer: true));
        Assert.True(AssertSameInvoice(charged).CustomerHasSavedCard);
        var withLines = AssertSameInvoice(await invoices.AddLinesAsync(charged.Id, StripeNetReference.AddLines(StripeWireFormatTests.ManyLines)));
        Assert.True(withLines.LineCount > 0 && withLines.TotalTaxes > 0 && withLines.Total > withLines.Subtotal);
        Assert.NotNull(AssertSameInvoice(await invoices.FinalizeInvoiceAsync(charged.Id, StripeNetReference.Finalize())).FinalizedAt);
        Assert.Equal("paid", AssertSameInvoice(await invoices.PayAsync(charged.Id, StripeNetReference.Pay())).Status);
        AssertSameInvoice(await invoices.GetAsync(charged.Id, new InvoiceGetOptions { Expand = ["customer"] }));

        // Sent: switched to send_invoice, one line, finalized, sent, read without its customer.
        var sent = await invoices.CreateAsync(StripeNetReference.CreateInvoice(customer.Id, "acct-1/tenant-9/2026-11", "November 2026", "charge_automatically", 30, readCustomer: false));
        Assert.Null(AssertSameInvoice(sent).CustomerHasSavedCard);
        AssertSameInvoice(await invoices.UpdateAsync(sent.Id, StripeNetReference.SwitchToSendInvoice(14)));
        AssertSameInvoice(await invoices.AddLinesAsync(sent.Id, StripeNetReference.AddLines([StripeWireFormatTests.ManyLines[5]])));
        AssertSameInvoice(await invoices.FinalizeInvoiceAsync(sent.Id, StripeNetReference.Finalize()));
        Assert.Equal("open", AssertSameInvoice(await invoices.SendInvoiceAsync(sent.Id)).Status);
        AssertSameInvoice(await invoices.GetAsync(sent.Id));

        // The lists: the customer's invoices with their customers, customers by email, invoice.sent events.
        var listed = await invoices.ListAsync(StripeNetReference.ListInvoices(customer.Id, null));
        var page = StripeAnswers.InvoicesWithKey(listed.StripeResponse.Content, "acct-1/tenant-9/2026-11");
        Assert.Equal(StripeNetReference.Snapshot(Assert.Single(listed.Data, i => i.Id == sent.Id)), Assert.Single(page.Matches));
        Assert.Equal((listed.HasMore, listed.Data[^1].Id), (page.HasMore, page.LastId));

        var customers = await new CustomerService(client).ListAsync(StripeNetReference.ListCustomers(StripeWireFormatTests.Unicode.BillingEmail, null));
        Assert.Equal(customer.Id, Assert.Single(StripeAnswers.CustomersWithKey(customers.StripeResponse.Content, "acct-1/tenant-9").Matches));
        Assert.Empty(StripeAnswers.CustomersWithKey(customers.StripeResponse.Content, "acct-1/tenant-8").Matches);

        var events = await new EventService(client).ListAsync(StripeNetReference.ListSentEvents(null, null));
        Assert.Contains(events.Data, e => e.Data.Object is Invoice i && i.Id == sent.Id);
        Assert.Single(StripeAnswers.EventsForInvoice(events.StripeResponse.Content, sent.Id).Matches);
        Assert.Empty(StripeAnswers.EventsForInvoice(events.StripeResponse.Content, charged.Id).Matches);
    }

    [Theory]
    [InlineData("""{"id":"cus_1","object":"customer","invoice_settings":{"default_payment_method":{"id":"pm_1","object":"payment_method"}}}""", true)]
    [InlineData("""{"id":"cus_1","object":"customer","invoice_settings":{"default_payment_method":"pm_1"},"default_source":null}""", true)]
    [InlineData("""{"id":"cus_1","object":"customer","invoice_settings":{"default_payment_method":null},"default_source":"card_1"}""", true)]
    [InlineData("""{"id":"cus_1","object":"customer","default_source":{"id":"card_1","object":"card","brand":"Visa"}}""", true)]
    [InlineData("""{"id":"cus_1","object":"customer","invoice_settings":null,"default_source":null,"metadata":null}""", false)]
    [InlineData("""{"id":"cus_1","object":"customer","invoice_settings":{"default_payment_method":""},"default_source":""}""", false)]
    [InlineData("""{"object":"customer","id":"cus_1","address":{"line1":"東京 \"1\"","city":null},"balance":-500,"tax_ids":{"object":"list","data":[{"id":"txi_1"}]}}""", false)]
    public void A_customer_s_saved_card_reads_as_Stripe_net_read_it(string json, bool hasSavedCard)
    {
        var expected = StripeNetReference.Snapshot(new StripeClient("sk_test_x").Deserialize<Customer>(json));
        Assert.Equal(expected, StripeAnswers.Customer(json));
        Assert.Equal(hasSavedCard, expected.HasSavedCard);
    }

    [Theory]
    [InlineData("""{"id":"in_1","object":"invoice","status":"draft","customer":"cus_1","lines":{"object":"list","data":[{"id":"il_1","tax_amounts":[{"amount":1}]},{"id":"il_2"}],"has_more":true,"total_count":12}}""")]
    [InlineData("""{"id":"in_1","object":"invoice","status":"open","customer":{"id":"cus_1","object":"customer","default_source":"card_1"},"total_taxes":[{"amount":25,"tax_rate_details":{"tax_rate":"txr_1"}},{"amount":13}],"total":538,"subtotal":500}""")]
    [InlineData("""{"id":"in_1","object":"invoice","status":"paid","number":null,"hosted_invoice_url":null,"ending_balance":null,"starting_balance":-200,"attempt_count":2,"metadata":{"other":"x","tenant_billing_invoice":"k/1"},"status_transitions":{"finalized_at":1795000123,"paid_at":1795000200},"created":1795000000,"currency":"usd","amount_due":338,"amount_paid":338}""")]
    [InlineData("""{"id":"in_1","object":"invoice","status":"void","metadata":null,"total_taxes":null,"lines":null,"status_transitions":null,"customer":null,"ending_balance":0}""")]
    [InlineData("""{"id":"in_1","object":"invoice","status":"open","collection_method":"send_invoice","customer":{"id":"cus_1","object":"customer","deleted":true}}""")]
    public void An_invoice_reads_as_Stripe_net_read_it(string json)
    {
        var expected = StripeNetReference.Snapshot(new StripeClient("sk_test_x").Deserialize<Invoice>(json));
        Assert.Equal(expected, StripeAnswers.Invoice(json));
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"id":5}""")]
    [InlineData("""{"id":"in_1","total":"many"}""")]
    [InlineData("""{"id":"in_1","lines":{"data":[""")]
    public void An_answer_that_is_not_the_object_expected_is_a_permanent_Stripe_failure(string json)
    {
        var failure = Assert.Throws<StripeCallException>(() => StripeAnswers.Invoice(json));
        Assert.Equal(StripeFailureKind.Permanent, failure.Kind);
        Assert.DoesNotContain(json, failure.Message, StringComparison.Ordinal);
    }

    private static void AssertSameCustomer(Customer customer) =>
        Assert.Equal(StripeNetReference.Snapshot(customer), StripeAnswers.Customer(customer.StripeResponse.Content));

    private static StripeInvoiceSnapshot AssertSameInvoice(Invoice invoice)
    {
        var ours = StripeAnswers.Invoice(invoice.StripeResponse.Content);
        Assert.Equal(StripeNetReference.Snapshot(invoice), ours);
        return ours;
    }
}
