using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.OpenApi;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Apis;

/// <summary>A billing day's bill run: counts by stage, pace, estimate and failures (docs/operations.md, "Bill runs").</summary>
public static class BillRunsApi
{
    public const string DateRule = "A billing day, yyyy-MM-dd (UTC), from 2000-01-01 to 2099-12-31.";

    public static RouteGroupBuilder MapBillRunsApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/bill-runs/{date}", GetBillRun).Problems(400).WithTags("Bill runs").WithName("GetBillRun").WithSummary("Watch a billing day's bill run")
            .WithDescription("The monthly invoices that fell due on `date` (yyyy-MM-dd, UTC): how many are due, composing, waiting for taxes, held, in Stripe, sent (or paid), failed or had nothing to bill; the failed ones with their reasons and retry routes; invoices sent per minute recently and when the run ends at that pace. The operator sees every account, with a row per account; an account key sees its own account.");
        return v1;
    }

    private static async Task<Ok<BillRunResponse>> GetBillRun(string date, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!DateOnly.TryParseExact(date, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) || day.Year is < 2000 or > 2099)
        {
            throw BillingProblemException.Invalid("date", DateRule);
        }

        var billingDay = day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var view = user.IsOperator()
            ? await grains.GetGrain<IBillRunDayGrain>(GrainKeys.BillRunDay(billingDay)).GetAsync()
            : await grains.GetGrain<IBillRunGrain>(GrainKeys.BillRun(user.AccountId()!, billingDay)).GetAsync();
        return TypedResults.Ok(BillRunResponse.From(view));
    }
}
