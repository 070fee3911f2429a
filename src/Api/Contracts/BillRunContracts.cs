using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Contracts;

/// <summary>How many of a bill run's invoices are at each stage; <c>due</c> is all of them.</summary>
public sealed record BillRunCountsResponse(
    int Due, int Composing, int WaitingForTaxes, int Held, int InStripe, int Sent, int Failed, int NothingToBill)
{
    public static BillRunCountsResponse From(BillRunCounts c) =>
        new(c.Due, c.Composing, c.WaitingForTaxes, c.Held, c.InStripe, c.Sent, c.Failed, c.NothingToBill);
}

/// <summary>A failed invoice of the run, its reason, and the route that retries it.</summary>
/// <param name="Status">failed or payment_failed.</param>
public sealed record BillRunFailureResponse(string AccountId, string TenantId, string Period, string Status, string Reason, DateTimeOffset At, string Retry)
{
    public static BillRunFailureResponse From(BillRunFailure f) =>
        new(f.AccountId, f.TenantId, f.Period, Codes.Of(f.Status), f.Reason, f.At, $"/v1/accounts/{f.AccountId}/tenants/{f.TenantId}/invoices/{f.Period}/retry");
}

public sealed record BillRunMinuteResponse(DateTimeOffset Minute, int Sent);

/// <summary>One account's row of a billing day.</summary>
public sealed record BillRunAccountResponse(
    string AccountId, BillRunCountsResponse Invoices, decimal SentPerMinute, DateTimeOffset? EstimatedEnd, DateTimeOffset? FinishedAt)
{
    public static BillRunAccountResponse From(BillRunView v) =>
        new(v.AccountId!, BillRunCountsResponse.From(v.Counts), Pace(v.SentPerMinute), v.EstimatedEnd, v.FinishedAt);

    /// <summary>Invoices per minute, to the hundredth.</summary>
    public static decimal Pace(double perMinute) => Math.Round((decimal)perMinute, 2);
}

/// <summary>
/// A billing day's bill run: the operator's covers every account (<c>scope</c> "all"), an account key's its own
/// account ("account"). docs/api.md describes each field.
/// </summary>
public sealed record BillRunResponse(
    string Date,
    string Scope,
    DateTimeOffset AsOf,
    BillRunCountsResponse Invoices,
    decimal SentPerMinute,
    DateTimeOffset? EstimatedEnd,
    DateTimeOffset? FinishedAt,
    IReadOnlyList<BillRunMinuteResponse> SentOverTime,
    IReadOnlyList<BillRunFailureResponse> Failures,
    IReadOnlyList<BillRunAccountResponse> Accounts)
{
    public static BillRunResponse From(BillRunView v)
    {
        var accounts = v.AccountId is null ? v.Accounts : [v];
        return new(
            v.Date, v.AccountId is null ? "all" : "account", v.AsOf, BillRunCountsResponse.From(v.Counts), BillRunAccountResponse.Pace(v.SentPerMinute), v.EstimatedEnd, v.FinishedAt,
            v.SentOverTime.Select(m => new BillRunMinuteResponse(m.Minute, m.Sent)).ToList(),
            v.Failures.Select(BillRunFailureResponse.From).ToList(),
            accounts.Where(a => a.Counts.Due > 0).Select(BillRunAccountResponse.From).ToList());
    }
}
