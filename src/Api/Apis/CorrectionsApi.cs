using Microsoft.AspNetCore.Http.HttpResults;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.OpenApi;
using TenantBilling.Api.Sandbox;
using TenantBilling.Grains.Domain;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Domain.Validation;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Apis;

/// <summary>Corrections after an invoice went out: void an open one, credit a paid one.</summary>
public static class CorrectionsApi
{
    public static RouteGroupBuilder MapCorrectionsApi(this RouteGroupBuilder v1)
    {
        var tenant = v1.MapGroup("/accounts/{accountId}/tenants/{tenantId}").AddEndpointFilter<AccountScopeFilter>().WithTags("Invoices");
        tenant.MapPost("/invoices/{invoiceId}/void", VoidInvoice).Problems(409, 503).WithName("VoidInvoice").WithSummary("Void an open invoice")
            .WithDescription("`invoiceId` is the month (yyyy-MM), a revision of it (yyyy-MM-r1, …) or once-{requestId}. Voids the invoice in the account's Stripe, once (a repeat answers the void invoice), and records it as Stripe's own void would be: its taxes leave the report of its month while that month is open, or come back as adjustment rows in this month's report once it has closed. A month voided can be billed again (a corrected statement). 409 for a paid invoice (credit it instead) or one not open in Stripe; 503 when Stripe did not answer (repeat it).");
        tenant.MapPost("/invoices/{invoiceId}/credit", CreditInvoice).Problems(409, 503).WithName("CreditInvoice").WithSummary("Credit a paid invoice")
            .WithDescription("A credit note in the account's Stripe for whole lines (`{lineRef}`) or amounts of them (`{lineRef, amount}`), with the same share of each line's taxes, to the customer's Stripe balance (`destination: balance`) or refunded to the card (`refund`). Exactly once per `requestId`: the same body answers the same credit note, another body is a 409. The taxes given back appear in this month's tax report as adjustment rows. 409 unless the invoice is paid; 503 when Stripe did not answer (repeat it).");
        tenant.MapGet("/invoices/{invoiceId}/credits", ListCredits).WithName("ListCredits").WithSummary("List an invoice's credits")
            .WithDescription("The credit notes issued on the invoice, oldest first.");
        return v1;
    }

    private static async Task<Ok<InvoiceResponse>> VoidInvoice(string accountId, string tenantId, string invoiceId, IGrainFactory grains, StripeSandboxLabel stripe)
    {
        var summary = await grains.GetGrain<IInvoiceCorrectionGrain>(InvoiceKey(accountId, tenantId, invoiceId)).VoidAsync();
        return TypedResults.Ok(InvoiceResponse.From(summary, stripe.IsSandbox));
    }

    private static async Task<Ok<CreditResponse>> CreditInvoice(string accountId, string tenantId, string invoiceId, CreditRequestBody body, IGrainFactory grains)
    {
        var key = InvoiceKey(accountId, tenantId, invoiceId);
        var request = Read(body);
        var credit = await grains.GetGrain<IInvoiceCorrectionGrain>(key).CreditAsync(request);
        return TypedResults.Ok(CreditResponse.From(credit));
    }

    private static async Task<Ok<IReadOnlyList<CreditResponse>>> ListCredits(string accountId, string tenantId, string invoiceId, IGrainFactory grains)
    {
        var credits = await grains.GetGrain<IInvoiceCorrectionGrain>(InvoiceKey(accountId, tenantId, invoiceId)).ListCreditsAsync();
        return TypedResults.Ok<IReadOnlyList<CreditResponse>>([.. credits.Select(CreditResponse.From)]);
    }

    /// <summary>The invoice key of a route's <c>invoiceId</c> (<c>yyyy-MM</c> or <c>once-{requestId}</c>), as the retry route reads it.</summary>
    private static string InvoiceKey(string accountId, string tenantId, string invoiceId)
    {
        Ids.Tenant(accountId, tenantId);
        if (!StripeApi.IsInvoiceId(invoiceId))
        {
            throw BillingProblemException.Invalid("invoiceId", StripeApi.InvoiceIdRule);
        }

        return $"{accountId}/{tenantId}/{invoiceId}";
    }

    /// <summary>Stripe's largest amount in USD: no invoice line, so no credit of one, is larger.</summary>
    private const decimal MaxCredit = 999_999.99m;

    private static CreditRequest Read(CreditRequestBody body)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (!GrainKeys.IsRequestId(body.RequestId))
        {
            errors["requestId"] = ["Required: 1–64 characters of A–Z, a–z, 0–9, '_' and '-'; the same id never credits twice."];
        }

        CreditDestination? destination = body.Destination switch
        {
            "balance" => CreditDestination.Balance,
            "refund" => CreditDestination.Refund,
            _ => null,
        };
        if (destination is null)
        {
            errors["destination"] = ["Required: balance (the customer's Stripe balance, taken off its next invoices) or refund (back to the card)."];
        }

        if (body.Lines is not { Count: > 0 and <= 100 })
        {
            errors["lines"] = ["1–100 lines: {lineRef} credits all that is left of a line, {lineRef, amount} that many dollars of it (the invoice's lineRefs are in its preview)."];
        }

        var lines = new List<CreditLineRequest>();
        for (var i = 0; i < (body.Lines?.Count ?? 0); i++)
        {
            var line = body.Lines![i];
            if (line?.LineRef is not { } lineRef || !GrainKeys.IsRequestId(lineRef))
            {
                errors[$"lines[{i}].lineRef"] = ["Required: the invoice line's lineRef (as its preview shows it: 1–64 characters of A–Z, a–z, 0–9, '_' and '-')."];
                continue;
            }

            if (line.Amount is { } amount && (amount <= 0 || amount > MaxCredit || Money.RoundToCents(amount) != amount))
            {
                errors[$"lines[{i}].amount"] = ["More than 0 and at most 999,999.99, in cents (at most 2 decimals); leave it out to credit all that is left of the line."];
                continue;
            }

            lines.Add(new CreditLineRequest(lineRef, line.Amount));
        }

        if (body.Memo is { Length: > 500 })
        {
            errors["memo"] = ["At most 500 characters."];
        }
        else if (body.Memo is { } memo && TextRules.FirstForbidden(memo) is { } forbidden)
        {
            errors["memo"] = [TextRules.Problem(forbidden)];
        }

        if (errors.Count > 0)
        {
            throw BillingProblemException.Invalid(errors);
        }

        return new CreditRequest(body.RequestId!, destination!.Value, lines, body.Memo);
    }
}
