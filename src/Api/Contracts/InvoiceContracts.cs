using System.Text.Json.Serialization;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Contracts;

public sealed record StatementRequest(decimal? UsageTotal, Dictionary<string, decimal?>? Quantities);

/// <param name="ScheduledFor">When the month's invoice is due; null when nothing is scheduled, and then <paramref name="Reason"/> says why.</param>
/// <param name="Reason">Why nothing is scheduled (null while an invoice is).</param>
public sealed record StatementResponse(string Period, string Outcome, DateTimeOffset? ScheduledFor, NotScheduledResponse? Reason)
{
    public static StatementResponse From(StatementAccepted accepted) =>
        new(accepted.Period, Codes.Of(accepted.Outcome), accepted.ScheduledFor, NotScheduledResponse.From(accepted.NotScheduled));
}

/// <summary>Why a month's invoice is not scheduled.</summary>
/// <param name="Code">no_billing_profile, before_first_billed_month or already_invoiced.</param>
/// <param name="Message">The same in a sentence for a person.</param>
public sealed record NotScheduledResponse(string Code, string Message)
{
    public static NotScheduledResponse? From(NotScheduled? reason) =>
        reason is null ? null : new(Codes.Of(reason.Code), reason.Message);
}

/// <summary>One line of the NDJSON statement batch.</summary>
public sealed record BatchStatementLine(
    string? AccountId, string? TenantId, string? Period, decimal? UsageTotal, Dictionary<string, decimal?>? Quantities);

/// <summary>The result of one batch line: the HTTP status the single route would have answered.</summary>
public sealed record BatchLineResult(
    int Line,
    int Status,
    string? AccountId,
    string? TenantId,
    string? Period,
    string? Outcome,
    DateTimeOffset? ScheduledFor,
    NotScheduledResponse? Reason,
    string? Error,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, string[]>? Errors);

public sealed record InvoiceLineResponse(string LineRef, string Description, string? ProductCode, decimal Quantity, decimal UnitPrice, decimal Amount, string TaxCategory);

/// <param name="TaxableAmount">The basis in USD for rated taxes; for per-unit fees see Units.</param>
/// <param name="Lines">What each invoice line owes of the tax (rounded once per line): the tax amounts Stripe shows on those lines; <c>amount</c> is their sum.</param>
public sealed record TaxLineResponse(
    string TaxCode, string Name, string Level, string JurisdictionCode, decimal? Rate, decimal? AmountPerUnit, decimal TaxableAmount, decimal? Units, decimal Amount,
    IReadOnlyList<TaxPartResponse> Lines);

/// <param name="TaxableAmount">That line's basis in USD, exact (Stripe shows it rounded to cents).</param>
public sealed record TaxPartResponse(string LineRef, decimal TaxableAmount, decimal? Units, decimal Amount);

/// <param name="ScheduledFor">When this invoice is due; null when it is not scheduled, and then <paramref name="Reason"/> says why (a month that will never be billed, or one already invoiced).</param>
public sealed record InvoicePreviewResponse(
    string InvoiceKey,
    string Kind,
    string? Period,
    string Description,
    DateTimeOffset InvoiceDate,
    IReadOnlyList<InvoiceLineResponse> Lines,
    IReadOnlyList<TaxLineResponse> Taxes,
    decimal Subtotal,
    decimal TaxTotal,
    decimal Total,
    bool AutoCharge,
    bool IncludeTaxes,
    decimal UsageTotal,
    DateTimeOffset? ScheduledFor,
    NotScheduledResponse? Reason,
    RevisionResponse? Revision = null)
{
    public static InvoicePreviewResponse From(InvoicePreview preview) => From(preview.Draft, preview.ScheduledFor, preview.NotScheduled);

    private static InvoicePreviewResponse From(InvoiceDraft draft, DateTimeOffset? scheduledFor, NotScheduled? reason) => new(
        draft.InvoiceKey,
        Codes.Of(draft.Kind),
        draft.Period,
        draft.Description,
        draft.InvoiceDate,
        draft.Lines.Select(l => new InvoiceLineResponse(l.LineRef, l.Description, l.ProductCode, l.Quantity, l.UnitPrice, l.Amount, TaxCategories.ToCode(l.TaxCategory))).ToList(),
        draft.Taxes.Select(t => new TaxLineResponse(
            t.TaxCode, t.Name, Codes.Of(t.Level), t.JurisdictionCode, t.Rate, t.AmountPerUnit, t.TaxableAmount, t.Units, t.TaxAmount,
            (t.Parts ?? []).Select(p => new TaxPartResponse(p.LineRef, p.TaxableAmount, p.Units, p.TaxAmount)).ToList())).ToList(),
        draft.Subtotal,
        draft.TaxTotal,
        draft.Total,
        draft.AutoCharge,
        draft.IncludeTaxes,
        draft.UsageTotal,
        scheduledFor,
        NotScheduledResponse.From(reason),
        draft.Revision is { } revision ? new RevisionResponse(revision.Number, revision.Revises, revision.RevisesNumber) : null);
}

/// <summary>A month's invoice after a void: its revision number, and the voided invoice it corrects (key and Stripe number).</summary>
public sealed record RevisionResponse(int Number, string Revises, string? RevisesNumber);

/// <param name="Total">The composed total in USD; Stripe's own figures are the *Cents fields.</param>
/// <param name="FailedAttempts">While its Stripe work is failing and being retried: the failed attempts in a row (the reason is <paramref name="FailureReason"/>); null otherwise.</param>
/// <param name="NextAttemptAt">While its Stripe work is being retried: when it is tried next; null otherwise.</param>
/// <param name="Sandbox">True when this deployment's Stripe is the local Stripe sandbox (Development only): the invoice and its page exist only there.</param>
public sealed record InvoiceResponse(
    string InvoiceKey,
    string Kind,
    string? Period,
    string? RequestId,
    string Status,
    DateTimeOffset? DueAt,
    decimal? Total,
    string? StripeInvoiceId,
    string? Number,
    long? AmountDueCents,
    long? AmountPaidCents,
    string? HostedInvoiceUrl,
    string? FailureReason,
    string? Note,
    DateTimeOffset UpdatedAt,
    int? FailedAttempts,
    DateTimeOffset? NextAttemptAt,
    bool Sandbox,
    int? Revision = null,
    bool? Current = null)
{
    public static InvoiceResponse From(InvoiceSummary s, bool sandbox) => new(
        s.InvoiceKey, Codes.Of(s.Kind), s.Period, s.RequestId, Codes.Of(s.Status), s.DueAt, s.Total, s.StripeInvoiceId, s.Number,
        s.AmountDueCents, s.AmountPaidCents, s.HostedInvoiceUrl, s.FailureReason, s.Note, s.UpdatedAt, s.FailedAttempts, s.NextAttemptAt, sandbox,
        s.Revision, s.Current);
}

public sealed record OneTimeItemBody(string? ProductCode, string? Description, decimal? Quantity, decimal? UnitPrice, string? TaxCategory);

public sealed record OneTimeInvoiceRequest(string? RequestId, List<OneTimeItemBody?>? Items);

public sealed record TestClockRequest(DateTimeOffset? Now);

public sealed record TestClockResponse(DateTimeOffset Now, TimeSpan Offset, int TenantsWoken);

/// <summary>Wire names of enums: snake_case, in one place.</summary>
internal static class Codes
{
    public static string Of<TEnum>(TEnum value)
        where TEnum : struct, Enum => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());
}
