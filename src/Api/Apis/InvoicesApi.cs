using Microsoft.AspNetCore.Http.HttpResults;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.OpenApi;
using TenantBilling.Api.Sandbox;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Domain.Validation;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Apis;

public static class InvoicesApi
{
    public static RouteGroupBuilder MapInvoicesApi(this RouteGroupBuilder v1)
    {
        var tenant = v1.MapGroup("/accounts/{accountId}/tenants/{tenantId}").AddEndpointFilter<AccountScopeFilter>().WithTags("Invoices");
        tenant.MapGet("/invoices", ListInvoices).WithName("ListInvoices").WithSummary("List invoices")
            .WithDescription("The tenant's invoices, newest first: scheduled ones and every one handed over, with status, Stripe ids, totals and the hosted invoice page.");
        tenant.MapGet("/invoices/{period}/preview", PreviewInvoice).Problems(409, 503).WithName("PreviewInvoice").WithSummary("Preview a month's invoice")
            .WithDescription("The invoice the month's statement would produce, lines and taxes, through the same code as the real one; sends nothing. `scheduledFor` is when it is due; when it is not going to be sent, `reason` says why (a month before the profile's first billed month is never billed). 404 without a statement, 409 without a profile, 503 when the tax provider does not answer.");
        tenant.MapPost("/invoices/{invoiceId}/retry", RetryInvoice).Problems(409).WithName("RetryInvoice").WithSummary("Retry a failed invoice")
            .WithDescription("`invoiceId` is the month (yyyy-MM), a revision of it (yyyy-MM-r1, …) or once-{requestId}. Only an invoice that failed or whose payment failed is retried; otherwise 409.");
        tenant.MapPost("/one-time-invoices", SendOneTimeInvoice).Problems(409, 503).WithName("SendOneTimeInvoice").WithSummary("Send a one-time invoice")
            .WithDescription("Sent now, with the same taxes as a monthly invoice. Items are catalogue products at the profile's price ({productCode, quantity}) or custom items ({description, quantity, unitPrice, taxCategory}). The same requestId with the same items returns the same invoice, with other items 409; 409 without a profile or with an address not re-validated; 503 (nothing sent) when the tax provider does not answer.");
        return v1;
    }

    private static async Task<Ok<IReadOnlyList<InvoiceResponse>>> ListInvoices(string accountId, string tenantId, IGrainFactory grains, StripeSandboxLabel stripe)
    {
        var invoices = await grains.GetGrain<ITenantGrain>(Ids.Tenant(accountId, tenantId)).ListInvoicesAsync();
        return TypedResults.Ok<IReadOnlyList<InvoiceResponse>>(invoices.Select(invoice => InvoiceResponse.From(invoice, stripe.IsSandbox)).ToList());
    }

    private static async Task<Ok<InvoicePreviewResponse>> PreviewInvoice(string accountId, string tenantId, string period, IGrainFactory grains)
    {
        var key = Ids.Tenant(accountId, tenantId);
        if (!BillingPeriod.TryParse(period, out _))
        {
            throw BillingProblemException.Invalid("period", BillingPeriod.Rule);
        }

        var preview = await grains.GetGrain<ITenantGrain>(key).PreviewInvoiceAsync(period);
        return TypedResults.Ok(InvoicePreviewResponse.From(preview));
    }

    private static async Task<Ok<InvoiceResponse>> RetryInvoice(string accountId, string tenantId, string invoiceId, IGrainFactory grains, StripeSandboxLabel stripe)
    {
        Ids.Tenant(accountId, tenantId);
        if (!StripeApi.IsInvoiceId(invoiceId))
        {
            throw BillingProblemException.Invalid("invoiceId", StripeApi.InvoiceIdRule);
        }

        var summary = await grains.GetGrain<IStripeInvoiceGrain>($"{accountId}/{tenantId}/{invoiceId}").RetryAsync();
        return TypedResults.Ok(InvoiceResponse.From(summary, stripe.IsSandbox));
    }

    private static async Task<Created<InvoiceResponse>> SendOneTimeInvoice(
        string accountId, string tenantId, OneTimeInvoiceRequest request, IGrainFactory grains, StripeSandboxLabel stripe)
    {
        var key = Ids.Tenant(accountId, tenantId);
        var errors = new FieldErrors();
        if (!GrainKeys.IsRequestId(request.RequestId))
        {
            errors.Add("requestId", "Required: 1–64 characters of A–Z, a–z, 0–9, '_' and '-'; the same id never sends twice.");
        }

        var items = BillingRules.OneTimeItems(
            errors, request.Items?.Select(i => i is null ? null : new ItemInput(i.Description, i.Quantity, i.UnitPrice, i.TaxCategory, i.ProductCode)).ToList());
        Ids.ThrowIfInvalid(errors);
        var invoice = await grains.GetGrain<ITenantGrain>(key).SendOneTimeInvoiceAsync(request.RequestId!, items!);
        return TypedResults.Created($"/v1/accounts/{accountId}/tenants/{tenantId}/invoices", InvoiceResponse.From(invoice, stripe.IsSandbox));
    }
}
