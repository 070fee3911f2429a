using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using Scalar.AspNetCore;
using TenantBilling.Api.Infrastructure;

namespace TenantBilling.Api.OpenApi;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c> and the API reference page at <c>/scalar/v1</c>.
/// The document names the bearer scheme (so the page can send a key), money as decimal numbers, the
/// problem answers of each route (from <see cref="RouteDocumentation"/>), and an example body for every
/// JSON request and answer (<see cref="OpenApiExamples"/>).
/// </summary>
public static class OpenApiSetup
{
    public const string Title = "Tenant Billing API";
    public const string BearerScheme = "Bearer";

    /// <summary>Configuration key that turns the reference page on or off; off by default in Production.</summary>
    public const string ReferenceEnabledKey = "ApiReference:Enabled";

    private const string Introduction =
        """
        Bill a VoIP carrier's resellers' customers through each reseller's own Stripe.

        **Accounts** are the carrier's resellers; **tenants** are an account's own customers. The carrier
        delivers each tenant's monthly **statement** of usage; on the tenant's billing day the invoice for
        the month before is composed from the tenant's **billing profile** (the account's prices), rated for
        telecom taxes at its validated address, and sent through the account's Stripe.

        **Keys.** Every route but the Stripe webhooks takes `Authorization: Bearer <key>`: the operator key
        (the carrier's portal back end, from configuration) may do everything; an account key (issued by the
        operator) may use only its own `/v1/accounts/{accountId}/…` routes, and any other account's route
        answers 404. Choose *Bearer* under Authentication and paste a key to send requests from this page.

        **Conventions.** JSON in camelCase; months are `yyyy-MM` (UTC). Money is a decimal JSON number in
        USD (unit prices and quantities up to 6 decimals, amounts to the cent); fields ending in `Cents` are
        Stripe's integer cents. Lists page by `limit` (default 50, at most 200) and `after` (the `nextAfter`
        of the page before). Errors are RFC 9457 `application/problem+json`; a validation problem names
        each field under `errors`. Bodies are limited to 1 MB, except the statement batch.
        """;

    private static readonly (string Name, string Description)[] Tags =
    [
        ("Accounts", "The carrier's resellers, their API keys and the operator's account list."),
        ("Tenants", "An account's customers: data, address validation, billing profile, tax exemptions."),
        ("Statements", "The carrier's monthly usage per tenant, one at a time or as an NDJSON batch (operator)."),
        ("Invoices", "Scheduled and sent invoices, previews, one-time invoices and retries."),
        ("Stripe", "Connecting an account's Stripe, its settings, and the webhooks Stripe sends."),
        ("Ledger", "Phantom-tenant fees charged to an account, and the monthly tax report."),
        ("Bill runs", "A billing day's invoices by stage, with failures, pace and estimated end."),
        ("Test clock", "Moving \"now\" in test mode (operator; never in Production)."),
    ];

    public static IServiceCollection AddTenantBillingOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddDocumentTransformer((document, _, _) =>
            {
                document.Info = new OpenApiInfo { Title = Title, Version = "v1", Description = Introduction };
                document.Components ??= new OpenApiComponents();
                document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
                document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
                {
                    Type = SecuritySchemeType.Http,
                    Scheme = "bearer",
                    Description = "The operator key, or an account key issued by POST /v1/accounts/{accountId}/api-keys.",
                };
                document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
                var used = (document.Paths ?? [])
                    .SelectMany(path => path.Value.Operations ?? [])
                    .SelectMany(operation => operation.Value.Tags ?? Enumerable.Empty<OpenApiTagReference>())
                    .Select(tag => tag.Name)
                    .ToHashSet(StringComparer.Ordinal);
                document.Tags = new HashSet<OpenApiTag>(Tags.Where(t => used.Contains(t.Name)).Select(t => new OpenApiTag { Name = t.Name, Description = t.Description }));
                return Task.CompletedTask;
            });
            options.AddOperationTransformer((operation, context, _) =>
            {
                if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
                {
                    operation.Security = [];
                }

                foreach (var (status, response) in operation.Responses ?? [])
                {
                    if (response is OpenApiResponse concrete && ProblemDescriptions.TryGetValue(status, out var description))
                    {
                        concrete.Description = description;
                    }
                }

                OpenApiExamples.Apply(operation, context.Description.ActionDescriptor.EndpointMetadata);
                return Task.CompletedTask;
            });
            options.AddSchemaTransformer((schema, context, _) =>
            {
                // Money, quantities and rates are decimal in the code and on the wire (never strings, never binary floating point).
                if (context.JsonTypeInfo.Type == typeof(decimal) || context.JsonTypeInfo.Type == typeof(decimal?))
                {
                    schema.Format = "decimal";
                }

                return Task.CompletedTask;
            });
        });

    /// <summary>
    /// Maps the API reference page, configured for this product: its own title and introduction, no fonts,
    /// scripts or telemetry from outside (the page's script is served by this process), no AI agent, no
    /// vendor toolbar. Off in Production unless <c>ApiReference:Enabled</c> is true.
    /// </summary>
    public static WebApplication MapApiReference(this WebApplication app)
    {
        if (!app.Configuration.GetValue(ReferenceEnabledKey, !app.Environment.IsProduction()))
        {
            return app;
        }

        app.MapScalarApiReference(options =>
        {
            options.WithTitle($"{Title} reference")
                .WithFavicon(Favicon)
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp()
                .HideDeveloperTools()
                .WithCustomCss(PageCss)
                .AddPreferredSecuritySchemes(BearerScheme)
                .WithDefaultHttpClient(ScalarTarget.Shell, ScalarClient.Curl);
            if (app.Environment.IsDevelopment()
                && app.Configuration.GetSection($"{AuthOptions.Section}:{nameof(AuthOptions.OperatorKeys)}").Get<string[]>() is [var developmentKey, ..])
            {
                // Development only: the page starts with the local operator key filled in, so "Send" works at once.
                options.AddHttpAuthentication(BearerScheme, bearer => bearer.Token = developmentKey);
            }
        });
        return app;
    }

    private static readonly Dictionary<string, string> ProblemDescriptions = new(StringComparer.Ordinal)
    {
        ["400"] = "Bad input: a field, path or query value breaks a rule (named under `errors`), or the body is not valid JSON for this route. Nothing changed.",
        ["401"] = "No key, or an unknown or revoked key.",
        ["403"] = "Only the operator may call this route.",
        ["404"] = "Not found: the account (or, for an account key, any other account), tenant or resource does not exist.",
        ["409"] = "The resource's state forbids the request (see the title). Nothing changed.",
        ["413"] = "The body is over 1 MB.",
        ["415"] = "The body is not JSON, or its charset is not UTF-8.",
        ["422"] = "Well-formed but it can't be processed: the title says what does not match.",
        ["503"] = "A dependency (the tax provider) did not answer; nothing was sent. Repeat the request later.",
    };

    /// <summary>The page's icon, ours and inline (no request for it).</summary>
    private const string Favicon =
        "data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 32 32'%3E%3Crect width='32' height='32' rx='6' fill='%231f4e79'/%3E%3Ctext x='16' y='22' font-size='16' text-anchor='middle' fill='white' font-family='sans-serif'%3ETB%3C/text%3E%3C/svg%3E";

    /// <summary>System fonts only; the vendor's "Powered by" link is hidden.</summary>
    private const string PageCss =
        """
        :root { --scalar-font: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif; --scalar-font-code: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", monospace; }
        a[href*="scalar.com"] { display: none !important; }
        """;
}
