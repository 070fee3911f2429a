using System.Net;
using Stripe;

namespace TenantBilling.StripeSandbox.Tests;

/// <summary>Manual tax amounts on invoice lines, as Stripe takes them.</summary>
public sealed class TaxAmountTests
{
    private static InvoiceLineTaxAmountOptions Tax(long amount, long taxable, string name, decimal percentage, string level = "state", string type = "communications_tax") => new()
    {
        Amount = amount,
        TaxableAmount = taxable,
        TaxRateData = new InvoiceLineTaxAmountTaxRateDataOptions
        {
            DisplayName = name,
            Percentage = percentage,
            Inclusive = false,
            Jurisdiction = "MN",
            JurisdictionLevel = level,
            Country = "US",
            State = "MN",
            TaxType = type,
        },
    };

    private static async Task<(StripeClient Client, Invoice Draft)> DraftAsync(StripeSandboxServer server)
    {
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        return (client, await client.NewDraftAsync(customer.Id));
    }

    [Fact]
    public async Task Tax_amounts_are_added_to_the_total_and_shown_per_line_and_in_total_taxes()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, draft) = await DraftAsync(server);

        var invoice = await client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions
        {
            Lines =
            [
                new InvoiceLineOptions { Amount = 5000, Description = "Minutes", TaxAmounts = [Tax(1201, 3245, "USF", 37m, "country"), Tax(344, 5000, "MN sales tax", 6.875m, type: "sales_tax")] },
                new InvoiceLineOptions { Amount = 0, Description = "Channels", TaxAmounts = [Tax(475, 0, "MN 911 fee", 0m)] },
                new InvoiceLineOptions { Amount = 5000, Description = "More minutes", TaxAmounts = [Tax(1201, 3245, "USF", 37m, "country")] },
            ],
        });

        // 5,000 + 0 + 5,000 of lines; 1,201 + 344 + 475 + 1,201 of taxes.
        Assert.Equal((10_000L, 13_221L, 10_000L), (invoice.Subtotal, invoice.Total, invoice.TotalExcludingTax ?? 0));
        Assert.Equal([1201L, 344L], invoice.Lines.Data[0].Taxes.Select(t => t.Amount));
        Assert.Equal([3245L, 5000L], invoice.Lines.Data[0].Taxes.Select(t => t.TaxableAmount));
        Assert.All(invoice.Lines.Data.SelectMany(l => l.Taxes), t => Assert.Equal("exclusive", t.TaxBehavior));

        // Identical tax rate data share one archived tax rate; total_taxes sums per rate.
        var usf = invoice.Lines.Data[0].Taxes[0].TaxRateDetails.TaxRateId;
        Assert.Equal(usf, invoice.Lines.Data[2].Taxes[0].TaxRateDetails.TaxRateId);
        var usfTotal = Assert.Single(invoice.TotalTaxes, t => t.TaxRateDetails.TaxRateId == usf);
        Assert.Equal((2402L, 6490L), (usfTotal.Amount, usfTotal.TaxableAmount));
        Assert.Equal(3221L, invoice.TotalTaxes.Sum(t => t.Amount));
        var rate = await client.V1.TaxRates.GetAsync(usf);
        Assert.Equal(("USF", 37m, false, "country", "communications_tax", false), (rate.DisplayName, rate.Percentage, rate.Inclusive, rate.JurisdictionLevel, rate.TaxType, rate.Active));
        Assert.Equal(3, server.TaxRates(server.PlatformAccountId(StripeClients.PlatformKey)).Count);

        var finalized = await client.V1.Invoices.FinalizeInvoiceAsync(draft.Id);
        Assert.Equal((13_221L, 13_221L), (finalized.Total, finalized.AmountDue));
    }

    [Fact]
    public async Task More_than_twenty_tax_amounts_on_a_line_are_refused_and_nothing_is_added()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, draft) = await DraftAsync(server);

        var error = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions
        {
            Lines = [new InvoiceLineOptions { Amount = 5000, TaxAmounts = Enumerable.Range(1, 21).Select(i => Tax(1, 5000, $"Tax {i}", 0.02m)).ToList() }],
        }));
        var twenty = await client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions
        {
            Lines = [new InvoiceLineOptions { Amount = 5000, TaxAmounts = Enumerable.Range(1, 20).Select(i => Tax(1, 5000, $"Tax {i}", 0.02m)).ToList() }],
        });

        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.Equal("lines[0][tax_amounts]", error.StripeError.Param);
        Assert.Equal((1, 5020L), (twenty.Lines.Data.Count, twenty.Total));
    }

    [Fact]
    public async Task Tax_amounts_and_tax_rates_never_mix_on_one_invoice()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, draft) = await DraftAsync(server);
        var rate = await client.V1.TaxRates.CreateAsync(new TaxRateCreateOptions { DisplayName = "Sales", Percentage = 5m, Inclusive = false });

        await client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions { Lines = [new InvoiceLineOptions { Amount = 1000, TaxRates = [rate.Id] }] });
        var mixed = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions
        {
            Lines = [new InvoiceLineOptions { Amount = 1000, TaxAmounts = [Tax(50, 1000, "Sales", 5m)] }],
        }));
        var customer = await client.NewCustomerAsync();
        var withDefaults = await client.V1.Invoices.CreateAsync(new InvoiceCreateOptions { Customer = customer.Id, CollectionMethod = "send_invoice", DaysUntilDue = 30, DefaultTaxRates = [rate.Id] });
        var onDefaults = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.AddLinesAsync(withDefaults.Id, new InvoiceAddLinesOptions
        {
            Lines = [new InvoiceLineOptions { Amount = 1000, TaxAmounts = [Tax(50, 1000, "Sales", 5m)] }],
        }));

        Assert.Contains("cannot set tax amounts", mixed.StripeError.Message, StringComparison.Ordinal);
        Assert.Contains("cannot set tax amounts", onDefaults.StripeError.Message, StringComparison.Ordinal);
        var invoice = await client.V1.Invoices.GetAsync(draft.Id);
        Assert.Equal((1, 1050L), (invoice.Lines.Data.Count, invoice.Total));   // the rate's 5 % is Stripe's to figure
    }

    [Theory]
    [InlineData(101, "[tax_rate_data][percentage]")]
    [InlineData(1.23456, "[tax_rate_data][percentage]")]
    public async Task A_tax_rate_stripe_would_refuse_is_a_400(decimal percentage, string param)
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var (client, draft) = await DraftAsync(server);

        var error = await Assert.ThrowsAsync<StripeException>(() => client.V1.Invoices.AddLinesAsync(draft.Id, new InvoiceAddLinesOptions
        {
            Lines = [new InvoiceLineOptions { Amount = 1000, TaxAmounts = [Tax(50, 1000, "Sales", percentage)] }],
        }));

        Assert.Equal(HttpStatusCode.BadRequest, error.HttpStatusCode);
        Assert.EndsWith(param, error.StripeError.Param, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoice_items_take_no_tax_amounts()
    {
        await using var server = await StripeSandboxServer.StartAsync(StripeSandboxOptions.Exact);
        var client = StripeClients.For(server);
        var customer = await client.NewCustomerAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, $"{server.ApiBase}/v1/invoiceitems")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["customer"] = customer.Id, ["amount"] = "100", ["currency"] = "usd", ["tax_amounts[0][amount]"] = "5",
            }),
        };
        request.Headers.Authorization = new("Bearer", StripeClients.PlatformKey);

        var response = await new HttpClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("parameter_unknown", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
