using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using Microsoft.OpenApi;
using TenantBilling.Api.Contracts;

namespace TenantBilling.Api.OpenApi;

/// <summary>
/// One example per JSON request body and per success answer, by operation name. They are built from
/// the contract records themselves, so an example can never name a field the API does not have.
/// </summary>
public static class OpenApiExamples
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly DateTimeOffset Created = new(2026, 11, 2, 15, 4, 5, TimeSpan.Zero);
    private static readonly DateTimeOffset Connected = new(2026, 11, 2, 15, 10, 0, TimeSpan.Zero);

    private static readonly AccountResponse Account = new(
        "acme-voip", "Acme VoIP", Created,
        new StripeConnectionResponse("connect", "acct_1Q2w3E4r5T6y7U8i", null, Connected, null, false, false, false),
        new AccountSettingsResponse(30, 25), 12);

    private static readonly AddressBody Address = new("100 Congress Ave", "Suite 200", "Austin", "TX", "78701", "US");

    private static readonly JurisdictionResponse Jurisdiction = new("TX", "Travis", "48453", "Austin");

    private static readonly BillingProfileResponse Profile = new(
        false, true, 20,
        new Dictionary<string, decimal> { ["minutes_outbound"] = 0.012m, ["local_numbers"] = 1.50m },
        [new RecurringItemResponse("Hosted PBX seat", 5, 19.99m, "voip_seats")],
        "2026-11", Created, Created);

    private static readonly TenantResponse Tenant = new(
        "acme-voip", "bobs-bakery", "Bob's Bakery", "+15125550100", "ap@bobs-bakery.example", "Bob Baker", "+15125550101", Address,
        new AddressStatusResponse(true, Created, Jurisdiction, [new CorrectionResponse("city", "Austn", "Austin")]),
        Profile, new TaxExemptionsBody(false, false, false),
        new ScheduledInvoiceResponse("2026-11", new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero)),
        "cus_R2d2C3po4Bb8Ak", Created, Created);

    private static readonly InvoiceResponse SentInvoice = new(
        "acme-voip/bobs-bakery/2026-11", "monthly", "2026-11", null, "sent", new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero), 142.55m,
        "in_1Q9z8Y7x6W5v4U3t", "B7C1D2E3-0001", 14255, 0, "https://invoice.stripe.com/i/acct_1Q2w3E4r5T6y7U8i/test_example", null, null,
        new DateTimeOffset(2026, 12, 20, 0, 0, 4, TimeSpan.Zero), null, null, false);

    private static readonly BillRunResponse BillRun = new(
        "2026-12-20", "all", new DateTimeOffset(2026, 12, 20, 0, 12, 0, TimeSpan.Zero),
        new BillRunCountsResponse(1200, 40, 0, 12, 148, 990, 3, 7), 96.5m, new DateTimeOffset(2026, 12, 20, 0, 14, 0, TimeSpan.Zero), null,
        [new BillRunMinuteResponse(new DateTimeOffset(2026, 12, 20, 0, 1, 0, TimeSpan.Zero), 88)],
        [new BillRunFailureResponse("acme-voip", "bobs-bakery", "2026-11", "failed", "Invalid API Key provided: sk_test_****1234", new DateTimeOffset(2026, 12, 20, 0, 3, 10, TimeSpan.Zero), "/v1/accounts/acme-voip/tenants/bobs-bakery/invoices/2026-11/retry")],
        [new BillRunAccountResponse("acme-voip", new BillRunCountsResponse(400, 0, 0, 0, 0, 396, 3, 1), 30.1m, null, new DateTimeOffset(2026, 12, 20, 0, 9, 41, TimeSpan.Zero))]);

    private static readonly InvoicePreviewResponse Preview = new(
        "acme-voip/bobs-bakery/2026-11", "monthly", "2026-11", "Usage for November 2026", new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero),
        [
            new InvoiceLineResponse("minutes_outbound", "Outbound minutes — November 2026", "minutes_outbound", 1000, 0.012m, 12.00m, "voip_usage"),
            new InvoiceLineResponse("local_numbers", "Local numbers — November 2026", "local_numbers", 2, 1.50m, 3.00m, "phone_numbers"),
            new InvoiceLineResponse("recurring-1", "Hosted PBX seat — November 2026", null, 5, 19.99m, 99.95m, "voip_seats"),
        ],
        // USF on the 64.9% safe harbour, rounded once per line: 12.00 → 7.788 × 37% = 2.88; 3.00 → 1.947 → 0.72; 99.95 → 64.86755 → 24.00.
        [new TaxLineResponse("FUSF", "Federal Universal Service Fund", "federal", "US", 0.370m, null, 74.60255m, null, 27.60m,
            [new TaxPartResponse("minutes_outbound", 7.788m, null, 2.88m), new TaxPartResponse("local_numbers", 1.947m, null, 0.72m), new TaxPartResponse("recurring-1", 64.86755m, null, 24.00m)])],
        114.95m, 27.60m, 142.55m, false, true, 41.20m,
        new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero), null);

    // The seats line in full (99.95, USF 24.00) and 5.00 of the 12.00 of minutes (USF 2.88 × 5 ÷ 12 = 1.20).
    private static readonly CreditResponse Credit = new(
        "acme-voip/bobs-bakery/2026-11", "goodwill-2026-12", "balance", "cn_1Q9z8Y7x6W5v4U3t", "B7C1D2E3-0001-CN-01", 104.95m, 25.20m, 130.15m,
        new DateTimeOffset(2026, 12, 22, 9, 30, 0, TimeSpan.Zero),
        [new CreditedLineResponse("recurring-1", 99.95m, 24.00m), new CreditedLineResponse("minutes_outbound", 5.00m, 1.20m)]);

    private static readonly StatementRequest Statement = new(
        41.20m, new Dictionary<string, decimal?> { ["minutes_outbound"] = 1000, ["minutes_inbound"] = 2500, ["local_numbers"] = 2 });

    private static readonly Dictionary<string, Example> ByOperation = new(StringComparer.Ordinal)
    {
        ["CreateAccount"] = new(new CreateAccountRequest("acme-voip", "Acme VoIP"), ("201", Account with { Stripe = Account.Stripe with { Mode = "not_connected", StripeAccountId = null, ConnectedAt = null }, TenantCount = 0 })),
        ["ListAccounts"] = new(null, ("200", new AccountPageResponse([Account], null))),
        ["GetAccount"] = new(null, ("200", Account)),
        ["IssueApiKey"] = new(null, ("201", new ApiKeyResponse("3f9c2a7d1e4b8c6a5f0e9d2b", "tbk_3f9c2a7d1e4b8c6a5f0e9d2b_" + new string('7', 64), Created))),
        ["ConnectStripe"] = new(new StripeConnectionRequest("acct_1Q2w3E4r5T6y7U8i", null), ("200", Account)),
        ["DisconnectStripe"] = new(null, ("200", Account with { Stripe = Account.Stripe with { Mode = "not_connected", DisconnectedAt = Created.AddDays(30) } })),
        ["UpdateAccountSettings"] = new(new AccountSettingsRequest(30, 100), ("200", Account with { Settings = new AccountSettingsResponse(30, 100) })),
        ["ListTenants"] = new(null, ("200", new TenantPageResponse([Tenant], "bobs-bakery"))),
        ["SaveTenant"] = new(
            new TenantRequest("Bob's Bakery", "512 555 0100", "ap@bobs-bakery.example", "Bob Baker", "+15125550101", Address with { City = "Austn", State = "tx" }),
            ("201", Tenant with { AddressStatus = new AddressStatusResponse(false, null, null, []), BillingProfile = null, NextInvoice = null, StripeCustomerId = null }),
            ("200", Tenant)),
        ["GetTenant"] = new(null, ("200", Tenant)),
        ["ValidateAddress"] = new(null, ("200", new AddressValidationResponse(Address, Jurisdiction, [new CorrectionResponse("city", "Austn", "Austin")]))),
        ["SetBillingProfile"] = new(
            new BillingProfileRequest(false, true, 20, new Dictionary<string, decimal?> { ["minutes_outbound"] = 0.012m, ["local_numbers"] = 1.50m }, [new ItemBody("Hosted PBX seat", 5, 19.99m, "voip_seats")]),
            ("200", Profile)),
        ["GetBillingProfile"] = new(null, ("200", Profile)),
        ["SetTaxExemptions"] = new(new TaxExemptionsBody(false, false, true), ("200", new TaxExemptionsBody(false, false, true))),
        ["PutStatement"] = new(Statement, ("201", new StatementResponse("2026-11", "created", new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero), null)), ("200", new StatementResponse(
            "2026-10", "replayed", null, new NotScheduledResponse("before_first_billed_month", "The billing profile bills from 2026-11 (the month it was created); 2026-10 is before that, so it is kept but never billed.")))),
        ["PostStatementBatch"] = new(
            NdJson(new BatchStatementLine("acme-voip", "bobs-bakery", "2026-11", Statement.UsageTotal, Statement.Quantities), new BatchStatementLine("acme-voip", "nobody", "2026-11", 3.10m, [])),
            ("200", NdJson(
                new BatchLineResult(1, 201, "acme-voip", "bobs-bakery", "2026-11", "created", new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero), null, null, null),
                new BatchLineResult(2, 404, "acme-voip", "nobody", "2026-11", null, null, null, "Tenant 'nobody' was not found.", null)))),
        ["ListInvoices"] = new(null, ("200", new[] { SentInvoice })),
        ["PreviewInvoice"] = new(null, ("200", Preview)),
        ["RetryInvoice"] = new(null, ("200", SentInvoice with { Status = "handed_over", StripeInvoiceId = null, Number = null, AmountDueCents = null, AmountPaidCents = null, HostedInvoiceUrl = null })),
        ["SendOneTimeInvoice"] = new(
            new OneTimeInvoiceRequest("onboarding-2026-11", [new OneTimeItemBody(null, "On-site installation", 1, 250m, "non_taxable"), new OneTimeItemBody("local_numbers", null, 3, null, null)]),
            ("201", SentInvoice with { InvoiceKey = "acme-voip/bobs-bakery/once-onboarding-2026-11", Kind = "one_time", Period = null, RequestId = "onboarding-2026-11", Total = 254.50m, AmountDueCents = 25450, DueAt = null })),
        ["VoidInvoice"] = new(null, ("200", SentInvoice with { Status = "void" })),
        ["CreditInvoice"] = new(
            new CreditRequestBody("goodwill-2026-12", "balance", [new CreditLineBody("recurring-1", null), new CreditLineBody("minutes_outbound", 5.00m)], "Outage on 3 December"),
            ("200", Credit)),
        ["ListCredits"] = new(null, ("200", new[] { Credit })),
        ["ListFees"] = new(null, ("200", new FeesResponse("2026-12", 5.00m, [new PhantomFeeResponse("acme-voip/quiet-shop/2026-11", "quiet-shop", 5.00m, 1.20m, new DateTimeOffset(2026, 12, 20, 0, 0, 5, TimeSpan.Zero), "in_1Q9z8Y7x6W5v4U3u", "B7C1D2E3-0002")]))),
        ["GetBillRun"] = new(null, ("200", BillRun)),
        ["TaxReport"] = new(null, ("200",
            "record_type,invoice_number,stripe_invoice_id,tenant_id,invoice_date,level,jurisdiction_code,tax_code,tax_name,taxable_amount,rate,amount_per_unit,units,tax_amount,adjustment_type,adjustment_date,credit_note_number\r\n"
            + "tax,B7C1D2E3-0001,in_1Q9z8Y7x6W5v4U3t,bobs-bakery,2026-12-20,federal,US,FUSF,Federal Universal Service Fund,74.60255,0.37,,,27.60,,,\r\n"
            + "adjustment,B7C1D2E3-0000,in_1Q9z8Y7x6W5v4U3s,bobs-bakery,2026-11-20,federal,US,FUSF,Federal Universal Service Fund,-74.60255,0.37,,,-27.60,void,2026-12-03,\r\n"
            + "total,,,,,federal,US,FUSF,Federal Universal Service Fund,0.00,,,,0.00,,,\r\n")),
        ["GetTestClock"] = new(null, ("200", new TestClockResponse(new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(18.5), 0))),
        ["SetTestClock"] = new(new TestClockRequest(new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero)), ("200", new TestClockResponse(new DateTimeOffset(2026, 12, 20, 0, 0, 0, TimeSpan.Zero), TimeSpan.FromDays(18.5), 12))),
    };

    /// <summary>Sets the examples of the named operation on its request body and success answers.</summary>
    public static void Apply(OpenApiOperation operation, IEnumerable<object> endpointMetadata)
    {
        if (endpointMetadata.OfType<IEndpointNameMetadata>().FirstOrDefault()?.EndpointName is not { } name
            || !ByOperation.TryGetValue(name, out var example))
        {
            return;
        }

        if (example.Request is not null && operation.RequestBody?.Content is { } requestContent)
        {
            foreach (var media in requestContent.Values)
            {
                media.Example = ToNode(example.Request);
            }
        }

        foreach (var (status, body) in example.Responses)
        {
            if (operation.Responses?.GetValueOrDefault(status)?.Content is { } responseContent)
            {
                foreach (var media in responseContent.Values)
                {
                    media.Example = ToNode(body);
                }
            }
        }
    }

    private static JsonNode? ToNode(object value) => value is string text ? JsonValue.Create(text) : JsonSerializer.SerializeToNode(value, value.GetType(), Json);

    /// <summary>An NDJSON body: one JSON document per line.</summary>
    private static string NdJson(params object[] lines) =>
        string.Concat(lines.Select(line => JsonSerializer.Serialize(line, line.GetType(), Json) + "\n"));

    private sealed record Example(object? Request, params (string Status, object Body)[] Responses);
}
