using Microsoft.AspNetCore.Http.HttpResults;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.OpenApi;
using TenantBilling.Grains.Domain.Validation;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Apis;

public static class TenantsApi
{
    /// <summary>Page sizes of every list (tenants, accounts): <c>limit</c> defaults to 50, at most 200.</summary>
    internal const int DefaultPageSize = 50;
    internal const int MaxPageSize = 200;

    public static RouteGroupBuilder MapTenantsApi(this RouteGroupBuilder v1)
    {
        var tenants = v1.MapGroup("/accounts/{accountId}/tenants").AddEndpointFilter<AccountScopeFilter>().WithTags("Tenants");
        tenants.MapGet("/", ListTenants).Problems(400).WithName("ListTenants").WithSummary("List tenants")
            .WithDescription("The account's tenants in id order, a page at a time: `limit` 1–200 (default 50), `after` = the `nextAfter` of the page before.");
        tenants.MapPut("/{tenantId}", SaveTenant).WithName("SaveTenant").WithSummary("Create or update a tenant")
            .WithDescription("201 when new, 200 when updated. Phones become E.164. Changing the address un-validates it; changed data reaches the tenant's Stripe customer.");
        tenants.MapGet("/{tenantId}", GetTenant).WithName("GetTenant").WithSummary("Get a tenant")
            .WithDescription("The tenant with its address status, billing profile, exemptions and next scheduled invoice.");
        tenants.MapPost("/{tenantId}/address/validate", ValidateAddress).Problems(422).WithName("ValidateAddress").WithSummary("Validate the address")
            .WithDescription("Normalises the address, checks ZIP, state and city against the ZIP database and records the jurisdiction; 422 says what does not match.");
        tenants.MapPut("/{tenantId}/billing-profile", SetBillingProfile).Problems(409).WithName("SetBillingProfile").WithSummary("Set the billing profile")
            .WithDescription("Creates or replaces the profile: auto-charge, taxes, billing day (1–31), prices per product code and recurring items. 409 while the address is not validated. The profile bills from the month it is created.");
        tenants.MapGet("/{tenantId}/billing-profile", GetBillingProfile).WithName("GetBillingProfile").WithSummary("Get the billing profile");
        tenants.MapDelete("/{tenantId}/billing-profile", DeleteBillingProfile).WithName("DeleteBillingProfile").WithSummary("Delete the billing profile")
            .WithDescription("Invoices not yet handed over are cancelled; statements are kept.");
        tenants.MapPut("/{tenantId}/tax-exemptions", SetTaxExemptions).WithName("SetTaxExemptions").WithSummary("Set tax exemptions")
            .WithDescription("The tax categories the tenant is exempt from: `federal`, `stateLocal`, `sales` (all required).");
        return v1;
    }

    private static async Task<Ok<TenantPageResponse>> ListTenants(string accountId, IGrainFactory grains, int? limit, string? after)
    {
        await Ids.ExistingAccountAsync(grains, accountId);
        if (limit is < 1 or > MaxPageSize)
        {
            throw BillingProblemException.Invalid("limit", $"1–{MaxPageSize}.");
        }

        var page = await grains.GetGrain<IAccountGrain>(accountId).ListTenantsAsync(after, limit ?? DefaultPageSize);
        var views = await Task.WhenAll(page.TenantIds.Select(id => grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(accountId, id)).GetAsync()));
        return TypedResults.Ok(new TenantPageResponse(views.OfType<TenantView>().Select(TenantResponse.From).ToList(), page.NextAfter));
    }

    private static async Task<Results<Created<TenantResponse>, Ok<TenantResponse>>> SaveTenant(
        string accountId, string tenantId, TenantRequest request, IGrainFactory grains)
    {
        var key = Ids.Tenant(accountId, tenantId);
        var errors = new FieldErrors();
        var details = TenantRules.Validate(
            errors, request.Name, request.Phone, request.BillingEmail, request.ContactName, request.ContactPhone, Mapping.Address(request.Address));
        Ids.ThrowIfInvalid(errors);
        await Ids.ExistingAccountAsync(grains, accountId);

        var saved = await grains.GetGrain<ITenantGrain>(key).SaveDetailsAsync(details!);
        await grains.GetGrain<IAccountGrain>(accountId).AddTenantAsync(tenantId);
        var response = TenantResponse.From(saved.Tenant);
        return saved.Created
            ? TypedResults.Created($"/v1/accounts/{accountId}/tenants/{tenantId}", response)
            : TypedResults.Ok(response);
    }

    private static async Task<Ok<TenantResponse>> GetTenant(string accountId, string tenantId, IGrainFactory grains) =>
        TypedResults.Ok(TenantResponse.From(await ExistingTenantAsync(grains, accountId, tenantId)));

    private static async Task<Ok<AddressValidationResponse>> ValidateAddress(string accountId, string tenantId, IGrainFactory grains)
    {
        var validation = await grains.GetGrain<ITenantGrain>(Ids.Tenant(accountId, tenantId)).ValidateAddressAsync();
        return TypedResults.Ok(AddressValidationResponse.From(validation));
    }

    private static async Task<Ok<BillingProfileResponse>> SetBillingProfile(
        string accountId, string tenantId, BillingProfileRequest request, IGrainFactory grains)
    {
        var key = Ids.Tenant(accountId, tenantId);
        var errors = new FieldErrors();
        var input = BillingRules.Profile(
            errors, request.AutoCharge, request.IncludeTaxes, request.BillingDay, request.Prices,
            request.RecurringItems?.Select(ToInput).ToList());
        Ids.ThrowIfInvalid(errors);
        var profile = await grains.GetGrain<ITenantGrain>(key).SetBillingProfileAsync(input!);
        return TypedResults.Ok(BillingProfileResponse.From(profile));
    }

    private static async Task<Ok<BillingProfileResponse>> GetBillingProfile(string accountId, string tenantId, IGrainFactory grains)
    {
        var tenant = await ExistingTenantAsync(grains, accountId, tenantId);
        return TypedResults.Ok(BillingProfileResponse.From(tenant.BillingProfile ?? throw BillingProblemException.NotFound("Billing profile")));
    }

    private static async Task<NoContent> DeleteBillingProfile(string accountId, string tenantId, IGrainFactory grains)
    {
        await grains.GetGrain<ITenantGrain>(Ids.Tenant(accountId, tenantId)).DeleteBillingProfileAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Ok<TaxExemptionsBody>> SetTaxExemptions(string accountId, string tenantId, TaxExemptionsBody request, IGrainFactory grains)
    {
        var key = Ids.Tenant(accountId, tenantId);
        var errors = new FieldErrors();
        var federal = errors.Required("federal", request.Federal);
        var stateLocal = errors.Required("stateLocal", request.StateLocal);
        var sales = errors.Required("sales", request.Sales);
        Ids.ThrowIfInvalid(errors);
        var saved = await grains.GetGrain<ITenantGrain>(key).SetTaxExemptionsAsync(new TaxExemptions(federal!.Value, stateLocal!.Value, sales!.Value));
        return TypedResults.Ok(new TaxExemptionsBody(saved.Federal, saved.StateLocal, saved.Sales));
    }

    internal static async Task<TenantView> ExistingTenantAsync(IGrainFactory grains, string accountId, string tenantId) =>
        await grains.GetGrain<ITenantGrain>(Ids.Tenant(accountId, tenantId)).GetAsync()
        ?? throw BillingProblemException.NotFound($"Tenant '{tenantId}'");

    private static ItemInput? ToInput(ItemBody? item) =>
        item is null ? null : new ItemInput(item.Description, item.Quantity, item.UnitPrice, item.TaxCategory);
}
