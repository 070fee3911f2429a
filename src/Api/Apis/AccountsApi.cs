using Microsoft.AspNetCore.Http.HttpResults;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.OpenApi;
using TenantBilling.Api.Sandbox;
using TenantBilling.Grains.Domain.Validation;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Apis;

public static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this RouteGroupBuilder v1)
    {
        var accounts = v1.MapGroup("/accounts").WithTags("Accounts");
        accounts.MapPost("/", CreateAccount).OperatorOnly().Problems(409)
            .WithName("CreateAccount").WithSummary("Create an account")
            .WithDescription("Operator only. `accountId` is 1–64 characters of a–z, 0–9 and '-'; 409 if it exists.");
        accounts.MapGet("/", ListAccounts).OperatorOnly().Problems(400)
            .WithName("ListAccounts").WithSummary("List accounts")
            .WithDescription("Operator only. Accounts in id order with their Stripe connection and tenant count, a page at a time: `limit` 1–200 (default 50), `after` = the `nextAfter` of the page before.");

        var account = accounts.MapGroup("/{accountId}").AddEndpointFilter<AccountScopeFilter>();
        account.MapGet("/", GetAccount).WithName("GetAccount").WithSummary("Get an account")
            .WithDescription("The account, its Stripe connection state, settings and tenant count.");
        account.MapPost("/api-keys", IssueApiKey).OperatorOnly()
            .WithName("IssueApiKey").WithSummary("Issue an account key")
            .WithDescription("Operator only. The key is in this answer and nowhere else; only its hash is stored.");
        account.MapDelete("/api-keys/{keyId}", RevokeApiKey).OperatorOnly()
            .WithName("RevokeApiKey").WithSummary("Revoke an account key")
            .WithDescription("Operator only. The key stops working at once; 404 for an unknown key id.");
        return v1;
    }

    private static async Task<Created<AccountResponse>> CreateAccount(CreateAccountRequest request, IGrainFactory grains, StripeSandboxLabel stripe)
    {
        var errors = new FieldErrors();
        if (!GrainKeys.IsAccountId(request.AccountId))
        {
            errors.Add("accountId", "Required: 1–64 characters of a–z, 0–9 and '-'.");
        }

        var name = errors.RequiredText("name", request.Name, Limits.NameLength);
        Ids.ThrowIfInvalid(errors);
        var view = await grains.GetGrain<IAccountGrain>(request.AccountId!).CreateAsync(name!);
        return TypedResults.Created($"/v1/accounts/{view.AccountId}", AccountResponse.From(view, stripe.IsSandbox));
    }

    private static async Task<Ok<AccountPageResponse>> ListAccounts(IGrainFactory grains, StripeSandboxLabel stripe, int? limit, string? after)
    {
        if (limit is < 1 or > TenantsApi.MaxPageSize)
        {
            throw BillingProblemException.Invalid("limit", $"1–{TenantsApi.MaxPageSize}.");
        }

        var page = await grains.GetGrain<IAccountDirectoryGrain>(GrainKeys.AccountDirectory).ListPageAsync(after, limit ?? TenantsApi.DefaultPageSize);
        var views = await Task.WhenAll(page.AccountIds.Select(id => grains.GetGrain<IAccountGrain>(id).GetAsync()));
        return TypedResults.Ok(new AccountPageResponse(views.OfType<AccountView>().Select(view => AccountResponse.From(view, stripe.IsSandbox)).ToList(), page.NextAfter));
    }

    private static async Task<Ok<AccountResponse>> GetAccount(string accountId, IGrainFactory grains, StripeSandboxLabel stripe) =>
        TypedResults.Ok(AccountResponse.From(await Ids.ExistingAccountAsync(grains, accountId), stripe.IsSandbox));

    private static async Task<Created<ApiKeyResponse>> IssueApiKey(string accountId, IGrainFactory grains)
    {
        Ids.Account(accountId);
        var key = await grains.GetGrain<IAccountGrain>(accountId).IssueApiKeyAsync();
        return TypedResults.Created($"/v1/accounts/{accountId}/api-keys/{key.KeyId}", new ApiKeyResponse(key.KeyId, key.Key, key.CreatedAt));
    }

    private static async Task<NoContent> RevokeApiKey(string accountId, string keyId, IGrainFactory grains, ApiKeyCache keys)
    {
        Ids.Account(accountId);
        await grains.GetGrain<IAccountGrain>(accountId).RevokeApiKeyAsync(keyId);
        keys.Forget(keyId);
        return TypedResults.NoContent();
    }
}
