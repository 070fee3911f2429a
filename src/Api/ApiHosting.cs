using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using TenantBilling.Api.Apis;
using TenantBilling.Api.BillRunConsole;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.OpenApi;
using TenantBilling.Api.Operations;
using TenantBilling.Api.Sandbox;
using TenantBilling.Grains;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Silo.Hosting;

namespace TenantBilling.Api;

/// <summary>How the API reaches the cluster (configuration "Api:Cluster").</summary>
public enum ClusterMode
{
    /// <summary>The API process hosts a silo itself (the embedded default, and a valid production choice).</summary>
    CoHosted,
    /// <summary>The API is an Orleans client of separately run <c>src/Silo</c> processes.</summary>
    Client,
}

public static class ApiHosting
{
    public static void AddTenantBillingApi(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        builder.AddStripeSandbox();
        var mode = configuration.GetValue("Api:Cluster", ClusterMode.CoHosted);
        if (mode == ClusterMode.CoHosted)
        {
            builder.UseOrleans(silo => silo.AddTenantBillingSilo(configuration, builder.Environment));
            builder.Services.AddSingleton(ClusterConnection.CoHosted());
        }
        else
        {
            builder.AddBillingClusterClient();
            builder.AddClientBillingClock();
            builder.Services.AddSingleton(TimeProvider.System);
            builder.Services.AddOptions<StripeOptions>().BindConfiguration(StripeOptions.Section);
            builder.Services.AddSingleton<SecretProtector>();
        }

        var services = builder.Services;
        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => o.OperatorKeys.Count > 0 && o.OperatorKeys.TrueForAll(k => k.Length >= 16), "Auth:OperatorKeys needs at least one key of 16 characters or more.")
            .ValidateOnStart();
        services.AddApiKeyCache();
        services.AddAuthentication(BearerKeyHandler.SchemeName).AddScheme<AuthenticationSchemeOptions, BearerKeyHandler>(BearerKeyHandler.SchemeName, null);
        services.AddAuthorization();

        services.AddProblemDetails();
        services.AddExceptionHandler<ProblemMapping>();
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o =>
        {
            // Strict reading: a wrong type, an unknown field or a repeated field is a 400, never guessed at.
            o.SerializerOptions.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
            o.SerializerOptions.NumberHandling = JsonNumberHandling.Strict;
            o.SerializerOptions.AllowDuplicateProperties = false;
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        });
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = null);

        services.AddTenantBillingOpenApi();
        services.AddHealthChecks().AddCheck<ClusterHealthCheck>("cluster", tags: ["ready"]);
        builder.AddTenantBillingOperations();
    }

    public static WebApplication UseTenantBillingApi(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseMiddleware<ClusterGateMiddleware>();
        app.UseRouting();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseAuthentication();
        app.UseAuthorization();

        app.MapOpenApi();
        app.MapApiReference();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });
        app.MapTenantBillingOperations();
        app.MapBillRunConsole();

        var v1 = app.MapGroup("/v1").RequireAuthorization().WithStandardProblems();
        v1.MapAccountsApi();
        v1.MapTenantsApi();
        v1.MapStatementsApi();
        v1.MapInvoicesApi();
        v1.MapCorrectionsApi();
        v1.MapStripeApi();
        v1.MapLedgerApi();
        v1.MapBillRunsApi();
        if (app.Configuration.GetValue<bool>($"{TestModeOptions.Section}:Enabled"))
        {
            v1.MapTestClockApi();
        }

        return app;
    }
}
