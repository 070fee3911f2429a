using Microsoft.AspNetCore.Http.HttpResults;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Grains.Domain.Validation;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Apis;

public static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this RouteGroupBuilder v1)
    {
        v1.MapPost("/accounts", CreateAccount)
            .AddEndpointFilter<OperatorOnlyFilter>()
            .WithName("CreateAccount").WithSummary("Create an account (operator).");

        var account = v1.MapGroup("/accounts/{accountId}").AddEndpointFilter<AccountScopeFilter>();
        account.MapGet("/", GetAccount).WithName("GetAccount").WithSummary("The account and its Stripe connection state.");
        account.MapPost("/api-keys", IssueApiKey)
            .AddEndpointFilter<OperatorOnlyFilter>()
            .WithName("IssueApiKey").WithSummary("Issue an account API key (operator). The key is shown once.");
        account.MapDelete("/api-keys/{keyId}", RevokeApiKey)
            .AddEndpointFilter<OperatorOnlyFilter>()
            .WithName("RevokeApiKey").WithSummary("Revoke an account API key (operator).");
        return v1;
    }

    private static async Task<Created<AccountResponse>> CreateAccount(CreateAccountRequest request, IGrainFactory grains)
    {
        var errors = new FieldErrors();
        if (!GrainKeys.IsAccountId(request.AccountId))
        {
            errors.Add("accountId", "Required: 1–64 characters of a–z, 0–9 and '-'.");
        }

        var name = errors.RequiredText("name", request.Name, Limits.NameLength);
        Ids.ThrowIfInvalid(errors);
        var view = await grains.GetGrain<IAccountGrain>(request.AccountId!).CreateAsync(name!);
        return TypedResults.Created($"/v1/accounts/{view.AccountId}", AccountResponse.From(view));
    }

    private static async Task<Ok<AccountResponse>> GetAccount(string accountId, IGrainFactory grains) =>
        TypedResults.Ok(AccountResponse.From(await Ids.ExistingAccountAsync(grains, accountId)));

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
