using System.Security.Claims;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stripe;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.OpenApi;
using TenantBilling.Api.Sandbox;
using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Domain.Validation;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Apis;

/// <summary>Connecting an account's Stripe, its settings, and the webhooks Stripe sends us.</summary>
public static partial class StripeApi
{
    /// <summary>How old a webhook signature may be (Stripe's own default tolerance).</summary>
    private const long SignatureToleranceSeconds = 300;

    private static readonly HashSet<string> InvoiceEvents =
        ["invoice.paid", "invoice.payment_failed", "invoice.voided", "invoice.marked_uncollectible", "invoice.finalized"];

    public static RouteGroupBuilder MapStripeApi(this RouteGroupBuilder v1)
    {
        var account = v1.MapGroup("/accounts/{accountId}").AddEndpointFilter<AccountScopeFilter>().WithTags("Stripe");
        account.MapPut("/stripe-connection", Connect).Problems(403, 409, 422, 503).WithName("ConnectStripe").WithSummary("Connect Stripe")
            .WithDescription("Exactly one of `stripeAccountId` (Stripe Connect, acct_…: operator only, 403 for an account key, 409 when another account holds it) and `secretKey` (sk_… or rk_…, stored encrypted, never returned; with it, `webhookSecret` of the endpoint the account made for /v1/stripe/webhooks/{accountId}). The connection is checked against Stripe first: 422 with Stripe's reason when it refuses, or when the key's mode is not the deployment's; 503 when Stripe does not answer. Invoices held while disconnected are released. 409 for a key when the operator has not configured Stripe:EncryptionKey.");
        account.MapDelete("/stripe-connection", Disconnect).WithName("DisconnectStripe").WithSummary("Disconnect Stripe")
            .WithDescription("No Stripe calls for the account from now on; invoices that fall due are held until it connects again. History stays.");
        account.MapPut("/settings", UpdateSettings).OperatorOnly().WithName("UpdateAccountSettings").WithSummary("Set account settings")
            .WithDescription("Operator only. `daysUntilDue` (1–365) of sent invoices and `stripeRequestsPerSecond` (1–1000; Stripe allows 25 in test mode, 100 live), both required.");

        var webhooks = v1.MapGroup("/stripe/webhooks").AllowAnonymous().WithTags("Stripe");
        webhooks.MapPost("/", ReceiveConnectWebhook).Problems(400, 503).WithName("StripeWebhook").WithSummary("Receive Stripe events (Connect)")
            .WithDescription("Called by Stripe, no key: events of Connect accounts, snapshot or thin, signed with the platform endpoint's secret (Stripe:WebhookSecret). A missing, wrong or stale signature, or a signed body that is no Stripe event, is 400 and changes nothing; unknown event types are 200 and ignored. A thin event is applied from the invoice read back from Stripe: 503 when Stripe does not answer, so Stripe delivers it again.");
        webhooks.MapPost("/{accountId}", ReceiveAccountWebhook).Problems(400, 503).WithName("StripeAccountWebhook").WithSummary("Receive Stripe events (own key)")
            .WithDescription("Called by Stripe, no key: events from an account connected with its own key, signed with that account's endpoint secret. Same rules; 404 for an unknown account.");
        return v1;
    }

    private static async Task<Results<Ok<AccountResponse>, ProblemHttpResult>> Connect(
        string accountId, StripeConnectionRequest request, ClaimsPrincipal user, IGrainFactory grains, StripeSandboxLabel stripe)
    {
        Ids.Account(accountId);
        var errors = new FieldErrors();
        var stripeAccountId = errors.OptionalText("stripeAccountId", request.StripeAccountId, 255);
        var secretKey = errors.OptionalText("secretKey", request.SecretKey, 255);
        var webhookSecret = errors.OptionalText("webhookSecret", request.WebhookSecret, 255);
        if (webhookSecret is not null && (string.IsNullOrWhiteSpace(request.SecretKey) || !WebhookSecretPattern().IsMatch(webhookSecret)))
        {
            errors.Add("webhookSecret", "A webhook signing secret (whsec_…), given with secretKey.");
        }
        if ((stripeAccountId is null) == (secretKey is null) && errors.IsEmpty)
        {
            errors.Add("stripeAccountId", "Give exactly one of stripeAccountId (Stripe Connect) and secretKey.");
        }
        else if (stripeAccountId is not null && !ConnectAccountPattern().IsMatch(stripeAccountId))
        {
            errors.Add("stripeAccountId", "A Stripe account id: acct_ followed by letters and digits.");
        }
        else if (secretKey is not null && !SecretKeyPattern().IsMatch(secretKey))
        {
            errors.Add("secretKey", "A Stripe secret or restricted key (sk_live_…, sk_test_…, rk_live_…, rk_test_…).");
        }

        Ids.ThrowIfInvalid(errors);
        if (stripeAccountId is not null && !user.IsOperator())
        {
            // The platform key reaches every connected account: only the portal's back end, after Stripe's
            // Connect onboarding, may say which one belongs to an account.
            return TypedResults.Problem(
                statusCode: StatusCodes.Status403Forbidden,
                title: "Only the operator connects a Stripe Connect account (after Stripe's Connect onboarding); an account key may connect its own secret key.");
        }

        await Ids.ExistingAccountAsync(grains, accountId);
        var connected = await grains.GetGrain<IAccountGrain>(accountId).ConnectStripeAsync(new StripeCredentials(stripeAccountId, secretKey, webhookSecret));
        await Task.WhenAll(connected.HeldInvoiceKeys.Select(key => grains.GetGrain<IStripeInvoiceGrain>(key).ResumeAsync()));
        return TypedResults.Ok(AccountResponse.From(connected.Account, stripe.IsSandbox));
    }

    private static async Task<Ok<AccountResponse>> Disconnect(string accountId, IGrainFactory grains, StripeSandboxLabel stripe)
    {
        await Ids.ExistingAccountAsync(grains, accountId);
        return TypedResults.Ok(AccountResponse.From(await grains.GetGrain<IAccountGrain>(accountId).DisconnectStripeAsync(), stripe.IsSandbox));
    }

    private static async Task<Ok<AccountResponse>> UpdateSettings(string accountId, AccountSettingsRequest request, IGrainFactory grains, StripeSandboxLabel stripe)
    {
        Ids.Account(accountId);
        var errors = new FieldErrors();
        if (errors.Required("daysUntilDue", request.DaysUntilDue) is < 1 or > 365)
        {
            errors.Add("daysUntilDue", "1–365 days.");
        }

        if (errors.Required("stripeRequestsPerSecond", request.StripeRequestsPerSecond) is < 1 or > 1000)
        {
            errors.Add("stripeRequestsPerSecond", "1–1000 requests per second.");
        }

        Ids.ThrowIfInvalid(errors);
        await Ids.ExistingAccountAsync(grains, accountId);
        var view = await grains.GetGrain<IAccountGrain>(accountId).UpdateSettingsAsync(
            new Grains.Interfaces.Models.AccountSettings(request.DaysUntilDue!.Value, request.StripeRequestsPerSecond!.Value));
        return TypedResults.Ok(AccountResponse.From(view, stripe.IsSandbox));
    }

    /// <summary>Events of Connect accounts, signed with the platform endpoint's secret: each names its account.</summary>
    private static Task<Results<Ok, ProblemHttpResult>> ReceiveConnectWebhook(
        HttpRequest http, IGrainFactory grains, IOptions<StripeOptions> options, TimeProvider clock) =>
        ReceiveAsync(http, grains, clock, options.Value.WebhookSecret, accountId: null);

    /// <summary>Events from an account's own Stripe, signed with the secret of the endpoint it made for us: they name no account.</summary>
    private static async Task<Results<Ok, ProblemHttpResult>> ReceiveAccountWebhook(
        string accountId, HttpRequest http, IGrainFactory grains, SecretProtector secrets, TimeProvider clock)
    {
        await Ids.ExistingAccountAsync(grains, accountId);
        var sealedSecret = await grains.GetGrain<IAccountGrain>(accountId).GetWebhookSecretAsync();
        return await ReceiveAsync(http, grains, clock, sealedSecret is null ? null : secrets.Unprotect(sealedSecret), accountId);
    }

    /// <summary>
    /// Checks the signature first (400 and nothing read when it fails), then reads the body: a snapshot event
    /// carries the invoice; a thin event (v1 event by reference) names it, and it is read from the Stripe the
    /// event came from. A signed body that is no Stripe event is a 400. <paramref name="accountId"/> is the
    /// account whose own endpoint was called; null for the platform's endpoint, where every event must name
    /// its Connect account.
    /// </summary>
    private static async Task<Results<Ok, ProblemHttpResult>> ReceiveAsync(
        HttpRequest http, IGrainFactory grains, TimeProvider clock, string? secret, string? accountId)
    {
        using var reader = new StreamReader(http.Body);
        var payload = await reader.ReadToEndAsync(http.HttpContext.RequestAborted);
        try
        {
            EventUtility.ValidateSignature(
                payload,
                http.Headers["Stripe-Signature"].ToString(),
                secret ?? throw new StripeException("No webhook signing secret is configured for this endpoint."),
                SignatureToleranceSeconds,
                clock.GetUtcNow().ToUnixTimeSeconds());
        }
        catch (StripeException exception)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The webhook's signature is missing, wrong or too old.", detail: exception.Message);
        }

        switch (StripeWebhookPayload.ShapeOf(payload))
        {
            case StripeWebhookShape.Snapshot when StripeWebhookPayload.Snapshot(payload) is { } stripeEvent:
                await ApplySnapshotAsync(grains, stripeEvent, accountId);
                return TypedResults.Ok();
            case StripeWebhookShape.Thin:
                if (StripeWebhookPayload.ThinInvoice(payload) is { } thin && await OwnerAsync(grains, thin, accountId) is { } owner)
                {
                    await RecordedAsync(() => grains.GetGrain<IStripeEventGrain>(0).ApplyThinInvoiceEventAsync(owner, thin.StripeAccountId, thin.EventId, thin.Type, thin.StripeInvoiceId));
                }

                return TypedResults.Ok();
            default:
                return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "The webhook's body is not a Stripe event.");
        }
    }

    private static async Task ApplySnapshotAsync(IGrainFactory grains, Event stripeEvent, string? accountId)
    {
        // Platform endpoint: Connect events only (they name their account). Account endpoint: that account's own invoices, naming none.
        if (InvoiceEvents.Contains(stripeEvent.Type)
            && stripeEvent.Data?.Object is Invoice invoice
            && invoice.Metadata?.GetValueOrDefault(StripeGateway.InvoiceKeyMetadata) is { } invoiceKey
            && IsInvoiceKey(invoiceKey)
            && (accountId is null
                ? stripeEvent.Account is not null
                : stripeEvent.Account is null && invoiceKey.StartsWith($"{accountId}/", StringComparison.Ordinal)))
        {
            await RecordedAsync(() => grains.GetGrain<IStripeInvoiceGrain>(invoiceKey).ApplyStripeEventAsync(new StripeInvoiceEvent(
                stripeEvent.Id, stripeEvent.Type, invoice.Id, invoice.Status, invoice.Number, invoice.AmountDue, invoice.AmountPaid,
                invoice.HostedInvoiceUrl, stripeEvent.Account, stripeEvent.Type == "invoice.payment_failed" ? "Stripe reported the payment failed." : null)));
        }
    }

    /// <summary>
    /// An event that can't be recorded now (the tax provider or the ledger failed while a void was recorded) is a 503
    /// with Retry-After, never a 500: nothing of it was written (the invoice dropped its activation with the change),
    /// and Stripe delivers it again.
    /// </summary>
    private static async Task RecordedAsync(Func<Task> apply)
    {
        try
        {
            await apply();
        }
        catch (Exception failure) when (failure is not BillingProblemException && !ClusterFailures.IsTransient(failure))
        {
            throw new BillingProblemException(ProblemKind.Unavailable, "The event can't be recorded now; Stripe delivers it again.");
        }
    }

    /// <summary>
    /// Whose Stripe a thin event came from: on the platform's endpoint, the account its Connect account id is
    /// bound to; on an account's own endpoint, that account, and only for events naming no Connect account.
    /// </summary>
    private static async Task<string?> OwnerAsync(IGrainFactory grains, ThinInvoiceEvent thin, string? accountId) =>
        accountId is not null
            ? thin.StripeAccountId is null ? accountId : null
            : thin.StripeAccountId is { } connected && ConnectAccountPattern().IsMatch(connected)
                ? await grains.GetGrain<IStripeConnectAccountGrain>(connected).GetOwnerAsync()
                : null;

    /// <summary>Only keys of our own shape reach a grain: {accountId}/{tenantId}/{yyyy-MM or once-requestId}.</summary>
    private static bool IsInvoiceKey(string key) =>
        key.Split('/') is [var accountId, var tenantId, var invoiceId]
        && GrainKeys.IsAccountId(accountId) && GrainKeys.IsTenantId(tenantId) && InvoiceIdPattern().IsMatch(invoiceId);

    [GeneratedRegex("^acct_[A-Za-z0-9]{1,250}$")]
    private static partial Regex ConnectAccountPattern();

    [GeneratedRegex("^(sk|rk)_(test|live)_[A-Za-z0-9]{8,240}$")]
    private static partial Regex SecretKeyPattern();

    [GeneratedRegex("^whsec_[A-Za-z0-9_]{8,240}$")]
    private static partial Regex WebhookSecretPattern();

    /// <summary>An invoice's id as routes take it: a month (<c>yyyy-MM</c>), a revision of it (<c>yyyy-MM-r{n}</c>) or <c>once-{requestId}</c>.</summary>
    internal static bool IsInvoiceId(string invoiceId) =>
        InvoiceIdPattern().Match(invoiceId) is { Success: true } match
        && (invoiceId.StartsWith("once-", StringComparison.Ordinal) || BillingPeriod.TryParse(match.Groups["month"].Value, out _));

    internal const string InvoiceIdRule = "A month (yyyy-MM), a revision of it (yyyy-MM-r1, -r2, …) or once-{requestId}.";

    [GeneratedRegex("^((?<month>[0-9]{4}-[0-9]{2})(-r[1-9][0-9]{0,2})?|once-[A-Za-z0-9_-]{1,64})$")]
    internal static partial Regex InvoiceIdPattern();
}
