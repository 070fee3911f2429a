namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>The tenant's own data, as the account keeps it. Confidential: never logged.</summary>
[GenerateSerializer, Immutable, Alias("tenant-details")]
public sealed record TenantDetails(
    [property: Id(0)] string Name,
    [property: Id(1)] string Phone,
    [property: Id(2)] string BillingEmail,
    [property: Id(3)] string ContactName,
    [property: Id(4)] string ContactPhone,
    [property: Id(5)] PostalAddress Address);

/// <summary>Whether the tenant's current address has been validated, and what validation recorded.</summary>
[GenerateSerializer, Immutable, Alias("address-status")]
public sealed record AddressStatus(
    [property: Id(0)] bool Validated,
    [property: Id(1)] DateTimeOffset? ValidatedAt,
    [property: Id(2)] Jurisdiction? Jurisdiction,
    [property: Id(3)] IReadOnlyList<AddressCorrection> Corrections)
{
    /// <summary>
    /// A new value on every read, never a shared one: the in-memory grain storage reads state with Json.NET,
    /// which fills an existing default object in place, so a shared default would take on a stored tenant's address.
    /// </summary>
    public static AddressStatus NotValidated => new(false, null, null, []);
}

/// <summary>The answer to a successful validation: the normalised address now on the tenant.</summary>
[GenerateSerializer, Immutable, Alias("address-validation")]
public sealed record AddressValidation(
    [property: Id(0)] PostalAddress Address,
    [property: Id(1)] Jurisdiction Jurisdiction,
    [property: Id(2)] IReadOnlyList<AddressCorrection> Corrections);

/// <summary>A custom recurring item the account bills every month (e.g. "Hosted PBX seat").</summary>
[GenerateSerializer, Immutable, Alias("recurring-item")]
public sealed record RecurringItem(
    [property: Id(0)] string Description,
    [property: Id(1)] decimal Quantity,
    [property: Id(2)] decimal UnitPrice,
    [property: Id(3)] TaxCategory TaxCategory);

/// <summary>The settings of a billing profile as the account sends them.</summary>
[GenerateSerializer, Immutable, Alias("billing-profile-input")]
public sealed record BillingProfileInput(
    [property: Id(0)] bool AutoCharge,
    [property: Id(1)] bool IncludeTaxes,
    [property: Id(2)] int BillingDay,
    [property: Id(3)] IReadOnlyDictionary<string, decimal> Prices,
    [property: Id(4)] IReadOnlyList<RecurringItem> RecurringItems);

/// <summary>A tenant's billing profile.</summary>
/// <param name="FirstPeriod">The first month (yyyy-MM) this profile bills: the month it was created.</param>
[GenerateSerializer, Immutable, Alias("billing-profile")]
public sealed record BillingProfile(
    [property: Id(0)] bool AutoCharge,
    [property: Id(1)] bool IncludeTaxes,
    [property: Id(2)] int BillingDay,
    [property: Id(3)] IReadOnlyDictionary<string, decimal> Prices,
    [property: Id(4)] IReadOnlyList<RecurringItem> RecurringItems,
    [property: Id(5)] string FirstPeriod,
    [property: Id(6)] DateTimeOffset CreatedAt,
    [property: Id(7)] DateTimeOffset UpdatedAt);

/// <summary>The invoice the tenant will be sent next.</summary>
[GenerateSerializer, Immutable, Alias("scheduled-invoice")]
public sealed record ScheduledInvoice(
    [property: Id(0)] string Period,
    [property: Id(1)] DateTimeOffset DueAt);

[GenerateSerializer, Immutable, Alias("tenant-view")]
public sealed record TenantView(
    [property: Id(0)] string AccountId,
    [property: Id(1)] string TenantId,
    [property: Id(2)] TenantDetails Details,
    [property: Id(3)] AddressStatus AddressStatus,
    [property: Id(4)] BillingProfile? BillingProfile,
    [property: Id(5)] TaxExemptions TaxExemptions,
    [property: Id(6)] ScheduledInvoice? NextInvoice,
    [property: Id(7)] string? StripeCustomerId,
    [property: Id(8)] DateTimeOffset CreatedAt,
    [property: Id(9)] DateTimeOffset UpdatedAt);

/// <summary>The result of saving tenant details.</summary>
[GenerateSerializer, Immutable, Alias("tenant-saved")]
public sealed record TenantSaved(
    [property: Id(0)] TenantView Tenant,
    [property: Id(1)] bool Created);
