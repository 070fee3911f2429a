using Microsoft.AspNetCore.Http.HttpResults;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Grains.Domain.Reports;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Apis;

/// <summary>What an account owes us (phantom fees) and what it collected for others (the tax report), per month.</summary>
public static class LedgerApi
{
    public static RouteGroupBuilder MapLedgerApi(this RouteGroupBuilder v1)
    {
        var account = v1.MapGroup("/accounts/{accountId}").AddEndpointFilter<AccountScopeFilter>();
        account.MapGet("/fees", ListFees).WithName("ListFees")
            .WithSummary("Phantom-tenant fees charged to the account in a month (?month=yyyy-MM), each with the invoice it came from.");
        account.MapGet("/tax-report", TaxReport).WithName("TaxReport").Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("Every tax on invoices sent in the month (?month=yyyy-MM) as CSV, with a total per jurisdiction and tax; voided invoices left out.");
        return v1;
    }

    private static async Task<Ok<FeesResponse>> ListFees(string accountId, string? month, IGrainFactory grains)
    {
        var period = await MonthAsync(grains, accountId, month);
        var fees = await grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(accountId, period)).ListFeesAsync();
        return TypedResults.Ok(new FeesResponse(period, fees.Sum(f => f.Amount), fees.Select(PhantomFeeResponse.From).ToList()));
    }

    private static async Task<IResult> TaxReport(string accountId, string? month, IGrainFactory grains)
    {
        var period = await MonthAsync(grains, accountId, month);
        var entries = await grains.GetGrain<IAccountLedgerGrain>(GrainKeys.AccountLedger(accountId, period)).ListTaxesAsync();
        return TypedResults.Text(TaxReportCsv.Write(entries), "text/csv; charset=utf-8");
    }

    private static async Task<string> MonthAsync(IGrainFactory grains, string accountId, string? month)
    {
        Ids.Account(accountId);
        if (!BillingPeriod.TryParse(month, out var period))
        {
            throw BillingProblemException.Invalid("month", $"Required. {BillingPeriod.Rule}");
        }

        await Ids.ExistingAccountAsync(grains, accountId);
        return period.ToString();
    }
}
