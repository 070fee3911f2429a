using TenantBilling.Grains.Domain.Validation;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Contracts;

public sealed record AddressBody(string? Line1, string? Line2, string? City, string? State, string? PostalCode, string? Country);

public sealed record TenantRequest(
    string? Name, string? Phone, string? BillingEmail, string? ContactName, string? ContactPhone, AddressBody? Address);

public sealed record JurisdictionResponse(string State, string CountyName, string CountyFips, string City);

public sealed record CorrectionResponse(string Field, string From, string To);

public sealed record AddressStatusResponse(bool Validated, DateTimeOffset? ValidatedAt, JurisdictionResponse? Jurisdiction, IReadOnlyList<CorrectionResponse> Corrections);

public sealed record AddressValidationResponse(AddressBody Address, JurisdictionResponse Jurisdiction, IReadOnlyList<CorrectionResponse> Corrections)
{
    public static AddressValidationResponse From(AddressValidation validation) => new(
        Mapping.Address(validation.Address), Mapping.Jurisdiction(validation.Jurisdiction), validation.Corrections.Select(Mapping.Correction).ToList());
}

public sealed record ScheduledInvoiceResponse(string Period, DateTimeOffset DueAt);

public sealed record TaxExemptionsBody(bool? Federal, bool? StateLocal, bool? Sales);

public sealed record TenantResponse(
    string AccountId,
    string TenantId,
    string Name,
    string Phone,
    string BillingEmail,
    string ContactName,
    string ContactPhone,
    AddressBody Address,
    AddressStatusResponse AddressStatus,
    BillingProfileResponse? BillingProfile,
    TaxExemptionsBody TaxExemptions,
    ScheduledInvoiceResponse? NextInvoice,
    string? StripeCustomerId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static TenantResponse From(TenantView view) => new(
        view.AccountId,
        view.TenantId,
        view.Details.Name,
        view.Details.Phone,
        view.Details.BillingEmail,
        view.Details.ContactName,
        view.Details.ContactPhone,
        Mapping.Address(view.Details.Address),
        new AddressStatusResponse(
            view.AddressStatus.Validated,
            view.AddressStatus.ValidatedAt,
            view.AddressStatus.Jurisdiction is { } j ? Mapping.Jurisdiction(j) : null,
            view.AddressStatus.Corrections.Select(Mapping.Correction).ToList()),
        view.BillingProfile is { } profile ? BillingProfileResponse.From(profile) : null,
        new TaxExemptionsBody(view.TaxExemptions.Federal, view.TaxExemptions.StateLocal, view.TaxExemptions.Sales),
        view.NextInvoice is { } next ? new ScheduledInvoiceResponse(next.Period, next.DueAt) : null,
        view.StripeCustomerId,
        view.CreatedAt,
        view.UpdatedAt);
}

public sealed record TenantPageResponse(IReadOnlyList<TenantResponse> Items, string? NextAfter);

public sealed record ItemBody(string? Description, decimal? Quantity, decimal? UnitPrice, string? TaxCategory);

public sealed record BillingProfileRequest(
    bool? AutoCharge, bool? IncludeTaxes, int? BillingDay, Dictionary<string, decimal?>? Prices, List<ItemBody?>? RecurringItems);

public sealed record RecurringItemResponse(string Description, decimal Quantity, decimal UnitPrice, string TaxCategory);

/// <param name="FirstPeriod">The first month this profile bills (the month it was created).</param>
public sealed record BillingProfileResponse(
    bool AutoCharge,
    bool IncludeTaxes,
    int BillingDay,
    IReadOnlyDictionary<string, decimal> Prices,
    IReadOnlyList<RecurringItemResponse> RecurringItems,
    string FirstPeriod,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static BillingProfileResponse From(BillingProfile profile) => new(
        profile.AutoCharge,
        profile.IncludeTaxes,
        profile.BillingDay,
        profile.Prices,
        profile.RecurringItems.Select(i => new RecurringItemResponse(i.Description, i.Quantity, i.UnitPrice, TaxCategories.ToCode(i.TaxCategory))).ToList(),
        profile.FirstPeriod,
        profile.CreatedAt,
        profile.UpdatedAt);
}

internal static class Mapping
{
    public static AddressBody Address(PostalAddress a) => new(a.Line1, a.Line2, a.City, a.State, a.PostalCode, a.Country);

    public static TenantRules.AddressParts? Address(AddressBody? a) =>
        a is null ? null : new TenantRules.AddressParts(a.Line1, a.Line2, a.City, a.State, a.PostalCode, a.Country);

    public static JurisdictionResponse Jurisdiction(Jurisdiction j) => new(j.State, j.CountyName, j.CountyFips, j.City);

    public static CorrectionResponse Correction(AddressCorrection c) => new(c.Field, c.From, c.To);
}
