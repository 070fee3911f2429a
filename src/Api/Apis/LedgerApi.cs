using Microsoft.AspNetCore.Http.HttpResults;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.OpenApi;
using TenantBilling.Grains.Domain.Reports;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Apis;

/// <summary>What an account owes us (phantom fees) and what it collected for others (the tax report), per month.</summary>
public static class LedgerApi
{
    public static RouteGroupBuilder MapLedgerApi(this RouteGroupBuilder v1)
    {
        var account = v1.MapGroup("/accounts/{accountId}").AddEndpointFilter<AccountScopeFilter>().WithTags("Ledger");
        account.MapGet("/fees", ListFees).Problems(400).WithName("ListFees").WithSummary("List phantom-tenant fees")
            .WithDescription("The $5.00 fees charged to the account for invoices finalized in the month (`month=yyyy-MM`, required), each with the invoice it came from.");
        account.MapGet("/tax-report", TaxReport).Problems(400).WithName("TaxReport").Produces<string>(StatusCodes.Status200OK, "text/csv")
            .WithSummary("Get the tax report")
            .WithDescription("Every tax on invoices finalized in the month (`month=yyyy-MM`, required) as CSV, then a total per jurisdiction and tax; voided invoices left out.");
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
