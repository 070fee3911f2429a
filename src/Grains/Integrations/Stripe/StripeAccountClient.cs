using global::Stripe;
using Microsoft.Extensions.Options;
using TenantBilling.Grains.Domain.Stripe;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Integrations.Stripe;

/// <summary>
/// How both Stripe gateways reach an account's Stripe (one per process, shared by them): one Stripe.net <see cref="StripeClient"/> on the
/// <see cref="StripeGateway.HttpClientName"/> HttpClient with Stripe.net's own retries off (callers retry
/// with keys they can reproduce), and the key given per request — the account's own, decrypted for that
/// request only, or the platform's with <c>Stripe-Account</c> for a Connect account — so no client or
/// decrypted key is kept per account.
/// </summary>
public sealed class StripeAccountClient(IOptions<StripeOptions> options, SecretProtector secrets, IHttpClientFactory httpClients)
{
    public StripeClient Client { get; } = new(new StripeClientOptions
    {
        ApiBase = options.Value.ApiBase,
        HttpClient = new SystemNetHttpClient(httpClients.CreateClient(StripeGateway.HttpClientName), maxNetworkRetries: 0),
    });

    /// <summary>
    /// The key, account and idempotency key of one request. An account whose Stripe is not connected is a
    /// <see cref="StripeFailureKind.Disconnected"/> failure (nothing is sent); Connect without the operator's
    /// platform key a permanent one.
    /// </summary>
    public RawRequestOptions Request(StripeAccess access, string? idempotencyKey)
    {
        var (apiKey, stripeAccount) = access.Mode switch
        {
            StripeConnectionMode.Connect => (
                options.Value.PlatformSecretKey ?? throw new StripeCallException(StripeFailureKind.Permanent, "The operator has not configured the Stripe platform key (Stripe:PlatformSecretKey)."),
                access.StripeAccountId),
            StripeConnectionMode.SecretKey => (secrets.Unprotect(access.EncryptedSecretKey!), null),
            _ => throw new StripeCallException(StripeFailureKind.Disconnected, "The account's Stripe is not connected."),
        };

        return new RawRequestOptions { ApiKey = apiKey, IdempotencyKey = idempotencyKey, StripeAccount = stripeAccount };
    }

    /// <summary>
    /// Sends one request with parameters we encoded (<see cref="StripeRequests"/>: the body of a POST, the
    /// query of a GET) through Stripe.net, which adds the key, <c>Stripe-Account</c>, <c>Idempotency-Key</c>
    /// and <c>Stripe-Version</c> headers and turns an error answer into its <see cref="StripeException"/>;
    /// returns the answer's JSON.
    /// </summary>
    public async Task<string> SendAsync(HttpMethod method, string path, string? parameters, StripeAccess access, string? idempotencyKey, CancellationToken cancellationToken)
    {
        var request = Request(access, idempotencyKey);
        var (target, body) = method == HttpMethod.Post ? (path, parameters ?? string.Empty) : (parameters is { Length: > 0 } query ? path + "?" + query : path, null);
        var answer = await Client.RawRequestAsync(method, target, body, request, cancellationToken).ConfigureAwait(false);
        return answer.Content;
    }
}
