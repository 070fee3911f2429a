namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>Where a monthly invoice of a billing day stands, as its bill run counts it (docs/operations.md, "Bill runs").</summary>
[GenerateSerializer, Alias("bill-run-stage")]
public enum BillRunStage
{
    /// <summary>Due: its tenant is composing and rating it, or handing it over.</summary>
    Composing,
    /// <summary>The tax provider did not answer (or the address awaits validation); the tenant tries again.</summary>
    WaitingForTaxes,
    /// <summary>The account's Stripe is disconnected; it goes on after a reconnect.</summary>
    Held,
    /// <summary>Handed to its invoice, going through Stripe.</summary>
    InStripe,
    /// <summary>Sent or charged (and whatever Stripe said afterwards: paid, void, uncollectible).</summary>
    Sent,
    /// <summary>Failed, or its automatic charge failed: it waits for a retry.</summary>
    Failed,
    /// <summary>Nothing priced was used: nothing goes to Stripe.</summary>
    NothingToBill,
}

/// <summary>What a tenant or an invoice tells the bill run of its billing day: the invoice's status now.</summary>
/// <param name="Period">The month the invoice bills (yyyy-MM); with the tenant it names the invoice within the day.</param>
/// <param name="Reason">Why it failed or waits; null otherwise.</param>
[GenerateSerializer, Immutable, Alias("bill-run-report")]
public sealed record BillRunReport(
    [property: Id(0)] string TenantId,
    [property: Id(1)] string Period,
    [property: Id(2)] InvoiceStatus Status,
    [property: Id(3)] string? Reason);

/// <summary>How many invoices of a bill run are at each stage; <see cref="Due"/> is all of them.</summary>
[GenerateSerializer, Immutable, Alias("bill-run-counts")]
public sealed record BillRunCounts(
    [property: Id(0)] int Composing,
    [property: Id(1)] int WaitingForTaxes,
    [property: Id(2)] int Held,
    [property: Id(3)] int InStripe,
    [property: Id(4)] int Sent,
    [property: Id(5)] int Failed,
    [property: Id(6)] int NothingToBill)
{
    public static BillRunCounts None { get; } = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>Every invoice the run knows: each one that fell due that day.</summary>
    public int Due => Composing + WaitingForTaxes + Held + InStripe + Sent + Failed + NothingToBill;

    /// <summary>Not finished yet: composing, waiting for taxes, held or in Stripe.</summary>
    public int Open => Composing + WaitingForTaxes + Held + InStripe;

    /// <summary>Moving at the run's pace (the estimate's remainder): composing or in Stripe; held and waiting ones wait for something else.</summary>
    public int Moving => Composing + InStripe;

    public BillRunCounts Plus(BillRunCounts other) => new(
        Composing + other.Composing, WaitingForTaxes + other.WaitingForTaxes, Held + other.Held, InStripe + other.InStripe,
        Sent + other.Sent, Failed + other.Failed, NothingToBill + other.NothingToBill);
}

/// <summary>A failed invoice of a bill run, with the reason it failed.</summary>
[GenerateSerializer, Immutable, Alias("bill-run-failure")]
public sealed record BillRunFailure(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] string Period,
    [property: Id(3)] InvoiceStatus Status,
    [property: Id(4)] string Reason,
    [property: Id(5)] DateTimeOffset At);

/// <summary>Invoices of a bill run sent during one minute (UTC, the start of the minute).</summary>
[GenerateSerializer, Immutable, Alias("bill-run-minute")]
public sealed record BillRunMinute(
    [property: Id(0)] DateTimeOffset Minute,
    [property: Id(1)] int Sent);

/// <summary>
/// A bill run as it stands: one account's (<see cref="AccountId"/> set) or a whole billing day's (null, with a row
/// per account in <see cref="Accounts"/>). <see cref="SentPerMinute"/> is the recent pace; <see cref="EstimatedEnd"/>
/// when the invoices still moving are done at that pace (null when nothing moves or nothing was sent lately);
/// <see cref="FinishedAt"/> when the last open invoice finished (null while any is open).
/// </summary>
[GenerateSerializer, Immutable, Alias("bill-run-view")]
public sealed record BillRunView(
    [property: Id(0)] string Date,
    [property: Id(1)] string? AccountId,
    [property: Id(2)] BillRunCounts Counts,
    [property: Id(3)] double SentPerMinute,
    [property: Id(4)] DateTimeOffset? EstimatedEnd,
    [property: Id(5)] DateTimeOffset? FinishedAt,
    [property: Id(6)] IReadOnlyList<BillRunMinute> SentOverTime,
    [property: Id(7)] IReadOnlyList<BillRunFailure> Failures,
    [property: Id(8)] IReadOnlyList<BillRunView> Accounts,
    [property: Id(9)] DateTimeOffset AsOf);
