using System.Net;
using System.Text.RegularExpressions;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

/// <summary>
/// Each finalized invoice's page at its hosted_invoice_url, served by the sandbox itself: the invoice as
/// the customer sees it, always labelled sandbox, loading nothing from anywhere; and the sandbox's ids.
/// </summary>
public sealed partial class HostedPageTests
{
    private static readonly StripeSandboxOptions Sandbox = StripeSandboxOptions.Exact with { SandboxIds = true };

    private static InvoiceLineTaxAmountOptions Tax(long amount, long taxable, string name, decimal percentage) => new()
    {
        Amount = amount,
        TaxableAmount = taxable,
        TaxRateData = new InvoiceLineTaxAmountTaxRateDataOptions
        {
            DisplayName = name,
            Percentage = percentage,
            Inclusive = false,
            Jurisdiction = "US",
            JurisdictionLevel = "country",
            Country = "US",
            TaxType = "communications_tax",
        },
    };

    private static async Task<Invoice> OpenInvoiceAsync(StripeClient client, string customerName = "Bob's Bakery")
    {
        var customer = await client.V1.Customers.CreateAsync(new CustomerCreateOptions
        {
            Name = customerName,
            Email = "ap@bobs-bakery.example",
            Address = new AddressOptions { Line1 = "100 Congress Ave", City = "Austin", State = "TX", PostalCode = "78701", Country = "US" },
        });
        var draft = await client.NewDraftAsync(customer.Id);
        await client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions
        {
            Lines =
            [
                new InvoiceLineOptions { Amount = 1200, Description = "Outbound minutes (1,000 × $0.012)", TaxAmounts = [Tax(288, 779, "Federal Universal Service Fund", 37m)] },
                new InvoiceLineOptions { Amount = 9995, Description = "Hosted PBX seat (5 × $19.99)", TaxAmounts = [Tax(2400, 6487, "Federal Universal Service Fund", 37m), Tax(50, 0, "Texas 911 fee", 0m)] },
            ],
        });
        return await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
    }

    [Fact]
    public async Task A_finalized_invoice_s_page_shows_its_lines_each_line_s_taxes_and_totals_labelled_sandbox_and_loads_nothing_else()
    {
        await using var server = await StripeSandboxServer.StartAsync(Sandbox);
        var client = StripeClients.For(server);
        var invoice = await OpenInvoiceAsync(client);
        using var http = new HttpClient();

        var page = await http.GetAsync(invoice.HostedInvoiceUrl);
        var html = await page.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith(server.ApiBase + "/sandbox/invoices/", invoice.HostedInvoiceUrl, StringComparison.Ordinal);
        Assert.Contains($"<title>Sandbox · Invoice {invoice.Number}</title>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>Sandbox</strong>", html, StringComparison.Ordinal);
        Assert.Contains("Bob&#x27;s Bakery", html, StringComparison.Ordinal);
        Assert.Contains("Austin, TX 78701", html, StringComparison.Ordinal);
        Assert.Contains("Outbound minutes (1,000 × $0.012)</td><td class=\"amount\">$12.00", html, StringComparison.Ordinal);
        Assert.Contains("Federal Universal Service Fund (US) · 37% of $7.79</td><td class=\"amount\">$2.88", html, StringComparison.Ordinal);
        Assert.Contains("Texas 911 fee (US)</td><td class=\"amount\">$0.50", html, StringComparison.Ordinal);
        // 12.00 + 99.95 of lines; 2.88 + 24.00 + 0.50 of taxes.
        Assert.Contains("<tr class=\"subtotal\"><td>Subtotal</td><td class=\"amount\">$111.95", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"tax-total\"><td>Federal Universal Service Fund</td><td class=\"amount\">$26.88", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"total\"><td>Total</td><td class=\"amount\">$139.33", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"amount-due\"><td>Amount due</td><td class=\"amount\">$139.33", html, StringComparison.Ordinal);
        Assert.Contains("Open · awaiting payment", html, StringComparison.Ordinal);
        Assert.Equal(13933, invoice.AmountDue);

        // Nothing but the inline style sheet may load; no script, font, image, link or form is on the page.
        var policy = page.Headers.GetValues("Content-Security-Policy").Single();
        Assert.StartsWith("default-src 'none'; style-src 'sha256-", policy, StringComparison.Ordinal);
        Assert.DoesNotMatch(ExternalReference(), html);
        Assert.DoesNotContain("stripe.com", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("not Stripe", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Text_from_requests_is_encoded_on_the_page()
    {
        await using var server = await StripeSandboxServer.StartAsync(Sandbox);
        var invoice = await OpenInvoiceAsync(StripeClients.For(server), customerName: "<script>alert(1)</script>");
        using var http = new HttpClient();

        var html = await http.GetStringAsync(invoice.HostedInvoiceUrl);

        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Drafts_unknown_invoices_and_other_accounts_have_no_page_and_the_root_says_what_the_sandbox_is()
    {
        await using var server = await StripeSandboxServer.StartAsync(Sandbox);
        var client = StripeClients.For(server);
        var open = await OpenInvoiceAsync(client);
        var draft = await client.NewDraftAsync((await client.NewCustomerAsync()).Id);
        var account = server.PlatformAccountId(StripeClients.PlatformKey);
        using var http = new HttpClient { BaseAddress = server.BaseUrl };

        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"sandbox/invoices/{account}/{draft.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"sandbox/invoices/{account}/in_sandbox_nosuchinvoice")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync($"sandbox/invoices/acct_other/{open.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, (await http.PostAsync(new Uri(open.HostedInvoiceUrl!), null)).StatusCode);
        var missing = await http.GetAsync($"sandbox/invoices/{account}/{draft.Id}");
        Assert.Contains("<strong>Sandbox</strong>", await missing.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var home = await http.GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, home.StatusCode);
        Assert.Contains("It is not Stripe", await home.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        // The API is where it was: without a key, Stripe's 401.
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync("v1/invoices")).StatusCode);
    }

    [Fact]
    public async Task Sandbox_ids_and_numbers_say_sandbox_and_the_fake_s_default_ids_are_stripe_s_shapes()
    {
        await using var sandbox = await StripeSandboxServer.StartAsync(Sandbox);
        await using var fake = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);

        var labelled = await OpenInvoiceAsync(StripeClients.For(sandbox));
        var plain = await OpenInvoiceAsync(StripeClients.For(fake));

        Assert.Matches("^in_sandbox_[0-9A-Za-z]{24}$", labelled.Id);
        Assert.Matches("^cus_sandbox_[0-9A-Za-z]{24}$", labelled.CustomerId);
        Assert.Matches("^SANDBOX-[0-9A-Z]{4}-0001$", labelled.Number);
        Assert.Matches("^in_[0-9A-Za-z]{24}$", plain.Id);
        Assert.Matches("^cus_[0-9A-Za-z]{24}$", plain.CustomerId);
        Assert.Matches("^[0-9A-Z]{8}-0001$", plain.Number);
    }

    /// <summary>Anything a browser would fetch: a src or href attribute, a CSS url() or @import.</summary>
    [GeneratedRegex(@"\b(src|href)\s*=|url\(|@import", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
