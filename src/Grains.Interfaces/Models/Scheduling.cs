namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>Why a month's invoice is not scheduled.</summary>
[GenerateSerializer, Alias("not-scheduled-code")]
public enum NotScheduledCode
{
    /// <summary>The tenant has no billing profile: the statement is kept, nothing is billed.</summary>
    NoBillingProfile = 0,
    /// <summary>The month is before the profile's first billed month (the month the profile was created): never billed.</summary>
    BeforeFirstBilledMonth = 1,
    /// <summary>The month's invoice has already been handed over; nothing more is scheduled for it.</summary>
    AlreadyInvoiced = 2,
}

/// <summary>Why nothing is scheduled for a month, in a stable code and a sentence for a person.</summary>
[GenerateSerializer, Immutable, Alias("not-scheduled")]
public sealed record NotScheduled(
    [property: Id(0)] NotScheduledCode Code,
    [property: Id(1)] string Message);

/// <summary>The invoice a month would produce, and whether and when it is sent.</summary>
/// <param name="ScheduledFor">When the invoice is due; null when nothing is scheduled, and then <paramref name="NotScheduled"/> says why.</param>
[GenerateSerializer, Immutable, Alias("invoice-preview")]
public sealed record InvoicePreview(
    [property: Id(0)] InvoiceDraft Draft,
    [property: Id(1)] DateTimeOffset? ScheduledFor,
    [property: Id(2)] NotScheduled? NotScheduled);
