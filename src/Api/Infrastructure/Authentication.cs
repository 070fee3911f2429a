using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TenantBilling.Grains.Accounts;

namespace TenantBilling.Api.Infrastructure;

/// <summary>Who may call (configuration section "Auth").</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Bearer keys of the operator (the portal's back end). At least one is required.</summary>
    public List<string> OperatorKeys { get; set; } = [];

    /// <summary>How long this process trusts an account key its grain validated (<see cref="ApiKeyCache"/>).</summary>
    public TimeSpan KeyCacheDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often this process re-reads the ids of the live account keys (<see cref="ApiKeyCache"/>).</summary>
    public TimeSpan KeyListRefreshPeriod { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c>: an operator key from configuration, or an
/// account key issued by the operator (looked up by its id, compared by hash, refused once revoked,
/// through this process's <see cref="ApiKeyCache"/>).
/// </summary>
public sealed class BearerKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<AuthOptions> authOptions,
    ApiKeyCache keys,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "Bearer";
    public const string AccountClaim = "account_id";
    public const string OperatorRole = "operator";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.NoResult();
        }

        var key = header["Bearer ".Length..].Trim();
        if (IsOperatorKey(authOptions.Value.OperatorKeys, key))
        {
            return Success(new Claim(ClaimTypes.Role, OperatorRole));
        }

        if (ApiKeys.TryParse(key, out var keyId, out var secretHash)
            && await keys.AuthenticateAsync(keyId, secretHash) is { } accountId)
        {
            return Success(new Claim(AccountClaim, accountId));
        }

        return AuthenticateResult.Fail("Unknown or revoked key.");
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = "Bearer";
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 401, Title = "A valid operator or account key is required (Authorization: Bearer <key>)." },
        });
    }

    /// <summary>Whether <paramref name="presented"/> is one of the operator keys, compared in constant time.</summary>
    public static bool IsOperatorKey(IEnumerable<string> operatorKeys, string presented)
    {
        var presentedHash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        var match = false;
        foreach (var operatorKey in operatorKeys)
        {
            match |= CryptographicOperations.FixedTimeEquals(presentedHash, SHA256.HashData(Encoding.UTF8.GetBytes(operatorKey)));
        }

        return match;
    }

    private static AuthenticateResult Success(Claim claim) =>
        AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(new ClaimsIdentity([claim], SchemeName)), SchemeName));
}

/// <summary>The authenticated caller of a request.</summary>
public static class Caller
{
    public static bool IsOperator(this ClaimsPrincipal user) => user.IsInRole(BearerKeyHandler.OperatorRole);

    public static string? AccountId(this ClaimsPrincipal user) => user.FindFirstValue(BearerKeyHandler.AccountClaim);

    /// <summary>The operator may touch every account; an account key only its own.</summary>
    public static bool MayAccess(this ClaimsPrincipal user, string accountId) => user.IsOperator() || user.AccountId() == accountId;
}

/// <summary>Refuses account keys (403) on operator-only routes.</summary>
public sealed class OperatorOnlyFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        context.HttpContext.User.IsOperator()
            ? await next(context)
            : TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Only the operator may call this route.");
}

/// <summary>
/// On routes under <c>/v1/accounts/{accountId}</c>, an account key reaching another account gets the
/// same 404 as a missing account, so it learns nothing about other accounts.
/// </summary>
public sealed class AccountScopeFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var accountId = context.HttpContext.Request.RouteValues["accountId"] as string ?? string.Empty;
        return context.HttpContext.User.MayAccess(accountId)
            ? await next(context)
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"Account '{accountId}' was not found.");
    }
}
