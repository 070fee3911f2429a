using System.Security.Claims;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using TenantBilling.Api.Infrastructure;

namespace TenantBilling.Api.Operations;

/// <summary>
/// The operator's routes outside the REST API (/metrics, /dashboard): only the operator key, as
/// <c>Authorization: Bearer &lt;key&gt;</c> (scrapers, curl) or as the password of HTTP Basic
/// authentication (a browser asks for it; any user name). Account keys are refused. Without a key the
/// answer is 401 with both challenges, so a browser shows its sign-in prompt.
/// </summary>
public sealed class OperatorKeyHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    IOptions<AuthOptions> authOptions,
    IProblemDetailsService problems) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "OperatorKey";
    public const string Realm = "Tenant Billing operator";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentedKey(Request.Headers.Authorization.ToString()) is not { } key)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (!BearerKeyHandler.IsOperatorKey(authOptions.Value.OperatorKeys, key))
        {
            return Task.FromResult(AuthenticateResult.Fail("Not the operator key."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Role, BearerKeyHandler.OperatorRole)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = new([$"Basic realm=\"{Realm}\", charset=\"UTF-8\"", "Bearer"]);
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = 401, Title = "The operator key is required (Authorization: Bearer <key>, or as the password of Basic authentication)." },
        });
    }

    /// <summary>The key from <c>Bearer &lt;key&gt;</c> or from <c>Basic base64(user:key)</c>; null for anything else.</summary>
    public static string? PresentedKey(string header)
    {
        if (header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return header["Bearer ".Length..].Trim();
        }

        if (!header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        try
        {
            var credentials = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..].Trim()));
            var colon = credentials.IndexOf(':', StringComparison.Ordinal);
            return colon >= 0 ? credentials[(colon + 1)..] : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
