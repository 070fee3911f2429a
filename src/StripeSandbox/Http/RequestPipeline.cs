using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Http;
using TenantBilling.StripeSandbox.Api;
using TenantBilling.StripeSandbox.Faults;
using TenantBilling.StripeSandbox.Idempotency;
using TenantBilling.StripeSandbox.RateLimiting;
using TenantBilling.StripeSandbox.State;
using TenantBilling.StripeSandbox.Webhooks;

namespace TenantBilling.StripeSandbox.Http;

/// <summary>
/// Every request goes: authenticate → pick the account → count → rate limit → route → parse → fault
/// before work → idempotency → endpoint (under the account lock) → save for the key → fault after work → answer.
/// </summary>
internal sealed class RequestPipeline(
    FakeEnvironment environment,
    Router router,
    AccountStore accounts,
    AccountRateLimiter rateLimiter,
    FaultInjector faults,
    IdempotencyStore idempotency,
    WebhookDispatcher webhooks,
    FakeCounters counters,
    ConcurrentQueue<RequestLogEntry> log)
{
    private readonly ConcurrentDictionary<string, string> platformAccounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> revokedKeys = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, byte> revokedAccounts = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<(string Account, string Route), byte> routesSeen = new();

    public void RevokeKey(string apiKey) => this.revokedKeys[apiKey] = 0;

    public void RevokeAccount(string accountId) => this.revokedAccounts[accountId] = 0;

    private readonly ConcurrentDictionary<string, HashSet<string>> deniedRoutes = new(StringComparer.Ordinal);

    public void Restrict(string apiKey, IEnumerable<string> routes) => this.deniedRoutes[apiKey] = [.. routes];

    public void RestoreKey(string apiKey) => this.revokedKeys.TryRemove(apiKey, out _);

    public string PlatformAccount(string apiKey) => this.platformAccounts.GetOrAdd(apiKey, Ids.PlatformAccount);

    public async Task HandleAsync(HttpContext http)
    {
        var time = environment.Options.TimeProvider;
        var request = http.Request;
        var method = request.Method;
        var path = NormalizePath(request.Path.Value);
        var idempotencyKey = Header(request, "Idempotency-Key");
        var state = new RequestState(time.GetUtcNow(), method, path, Ids.New("req"), idempotencyKey);

        var (apiKey, authError) = this.Authenticate(request);
        var stripeAccount = Header(request, "Stripe-Account");
        state.Account = apiKey is null ? null : stripeAccount ?? this.PlatformAccount(apiKey);
        var match = router.Match(method, path);
        state.Route = match?.Template ?? $"{method} {path}";
        counters.Request(state.Account, state.Route);

        if (authError is not null)
        {
            await this.AnswerAsync(http, state, FakeResponse.Error(authError), RequestOutcome.Rejected).ConfigureAwait(false);
            return;
        }

        var account = state.Account!;
        if (stripeAccount is not null && (!stripeAccount.StartsWith("acct_", StringComparison.Ordinal) || this.revokedAccounts.ContainsKey(stripeAccount)))
        {
            var error = new StripeApiException(
                403,
                "invalid_request_error",
                $"The provided key does not have access to account '{stripeAccount}' (or that account does not exist). Application access may have been revoked.",
                "account_invalid");
            await this.AnswerAsync(http, state, FakeResponse.Error(error), RequestOutcome.Rejected).ConfigureAwait(false);
            return;
        }

        if (apiKey is not null && match is not null && this.deniedRoutes.TryGetValue(apiKey, out var denied) && denied.Contains(match.Template))
        {
            var error = new StripeApiException(
                403,
                "invalid_request_error",
                $"The provided key '{Masked(apiKey)}' does not have the required permissions for this endpoint on account '{account}'. Having more permissions would allow this request to continue.");
            await this.AnswerAsync(http, state, FakeResponse.Error(error), RequestOutcome.Rejected).ConfigureAwait(false);
            return;
        }

        if (!rateLimiter.TryAcquire(account))
        {
            counters.RateLimit(account);
            var error = new StripeApiException(429, "invalid_request_error", "Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.", "rate_limit");
            await this.AnswerAsync(http, state, FakeResponse.Error(error), RequestOutcome.RateLimited).ConfigureAwait(false);
            return;
        }

        if (match is null)
        {
            var error = new StripeApiException(404, "invalid_request_error", $"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.");
            await this.AnswerAsync(http, state, FakeResponse.Error(error), RequestOutcome.Rejected).ConfigureAwait(false);
            return;
        }

        FormParams form;
        try
        {
            form = FormParams.Parse(method == "POST" ? await ReadBodyAsync(request).ConfigureAwait(false) : request.QueryString.Value);
        }
        catch (StripeApiException e)
        {
            await this.AnswerAsync(http, state, FakeResponse.Error(e), RequestOutcome.Rejected).ConfigureAwait(false);
            return;
        }

        var fault = faults.Next(method, path, account) ?? this.FirstOfRoute(account, match.Template, method);
        if (fault is not null)
        {
            counters.Fault();
        }

        if (fault is { BeforeWork: true })
        {
            await this.FaultBeforeWorkAsync(http, state, fault).ConfigureAwait(false);
            if (http.RequestAborted.IsCancellationRequested || !fault.ThenWork)
            {
                return;
            }
        }

        // Stripe applies keys to POSTs only; Stripe.net sends a random one on every POST that has none.
        var keyed = method == "POST" && idempotencyKey is not null;
        if (keyed)
        {
            var fingerprint = $"{method} {path}\n{string.Join('&', form.SortedPairs.Select(p => p.Key + "=" + p.Value))}";
            var (verdict, saved) = idempotency.Begin(account, idempotencyKey!, fingerprint);
            switch (verdict)
            {
                case IdempotencyStore.Verdict.Replay:
                    counters.Replay();
                    state.Replayed = true;
                    await this.AnswerAsync(http, state, saved!, RequestOutcome.Replayed).ConfigureAwait(false);
                    return;
                case IdempotencyStore.Verdict.Mismatch:
                    await this.AnswerAsync(http, state, FakeResponse.Error(new StripeApiException(
                        400,
                        "idempotency_error",
                        $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{idempotencyKey}' if you meant to execute a different request.")), RequestOutcome.Rejected).ConfigureAwait(false);
                    return;
                case IdempotencyStore.Verdict.InProgress:
                    await this.AnswerAsync(http, state, FakeResponse.Error(new StripeApiException(
                        409,
                        "idempotency_error",
                        $"There is currently another in-progress request using this Idempotent Key (that probably means you submitted twice, and the other request is still going through): {idempotencyKey}. Please try again later.",
                        "idempotency_key_in_use")), RequestOutcome.Rejected).ConfigureAwait(false);
                    return;
            }
        }

        var (response, stored, events) = this.Execute(match, form, state, account, stripeAccount is not null);
        if (keyed)
        {
            if (stored)
            {
                idempotency.Complete(account, idempotencyKey!, response);
            }
            else
            {
                idempotency.Abandon(account, idempotencyKey!);
            }
        }

        webhooks.Dispatch(events);
        var outcome = stored ? RequestOutcome.Executed : RequestOutcome.Rejected;
        if (fault is { BeforeWork: false })
        {
            await this.FaultAfterWorkAsync(http, state, fault, response, keyed && stored).ConfigureAwait(false);
            return;
        }

        await this.AnswerAsync(http, state, response, outcome).ConfigureAwait(false);
    }

    private (FakeResponse Response, bool Stored, IReadOnlyList<FakeEvent> Events) Execute(
        RouteMatch match, FormParams form, RequestState state, string accountId, bool connected)
    {
        var account = accounts.Get(accountId, connected);
        var context = new ApiContext
        {
            Account = account,
            Form = form,
            Id = match.Id,
            Now = state.At,
            RequestId = state.RequestId,
            IdempotencyKey = state.IdempotencyKey,
            Environment = environment,
        };
        lock (account.Gate)
        {
            try
            {
                return (FakeResponse.Ok(match.Endpoint(context)), true, context.RaisedEvents);
            }
            catch (StripeApiException e)
            {
                return (FakeResponse.Error(e), e.Stored, context.RaisedEvents);
            }
        }
    }

    private async Task FaultBeforeWorkAsync(HttpContext http, RequestState state, FaultRule fault)
    {
        switch (fault.Kind)
        {
            case FaultKind.ServerErrorBeforeWork:
                await this.AnswerAsync(http, state, ServerError(fault), RequestOutcome.FaultBeforeWork, fault.ShouldRetry).ConfigureAwait(false);
                break;
            case FaultKind.DropConnectionBeforeWork:
                this.Log(state, 0, RequestOutcome.FaultBeforeWork);
                http.Abort();
                break;
            case FaultKind.TimeoutBeforeWork:
                await DelayAsync(fault.Delay, http.RequestAborted).ConfigureAwait(false);
                if (http.RequestAborted.IsCancellationRequested)
                {
                    this.Log(state, 0, RequestOutcome.FaultBeforeWork);
                }

                break;
            case FaultKind.HeldBeforeWork:
                if (fault.WhileHeld is { } meanwhile)
                {
                    using var gaveUp = fault.ClientGaveUpWhileHeld is { } onGaveUp ? http.RequestAborted.Register(onGaveUp) : default;
                    await meanwhile().ConfigureAwait(false);
                }

                if (http.RequestAborted.IsCancellationRequested)
                {
                    this.Log(state, 0, RequestOutcome.FaultBeforeWork);
                }

                break;
        }
    }

    private async Task FaultAfterWorkAsync(HttpContext http, RequestState state, FaultRule fault, FakeResponse response, bool keyedAndStored)
    {
        switch (fault.Kind)
        {
            case FaultKind.ServerErrorAfterWork:
                var error = ServerError(fault);
                if (keyedAndStored && !fault.ReplaySuccess)
                {
                    idempotency.Complete(state.Account!, state.IdempotencyKey!, error);
                }

                await this.AnswerAsync(http, state, error, RequestOutcome.FaultAfterWork, fault.ShouldRetry ?? (fault.ReplaySuccess ? null : false)).ConfigureAwait(false);
                break;
            case FaultKind.DropConnectionAfterWork:
                this.Log(state, 0, RequestOutcome.FaultAfterWork);
                http.Abort();
                break;
            case FaultKind.TimeoutAfterWork:
                await DelayAsync(fault.Delay, http.RequestAborted).ConfigureAwait(false);
                if (http.RequestAborted.IsCancellationRequested)
                {
                    this.Log(state, 0, RequestOutcome.FaultAfterWork);
                    return;
                }

                await this.AnswerAsync(http, state, response, RequestOutcome.FaultAfterWork).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>
    /// With <see cref="StripeSandboxOptions.FaultFirstRequestOfEachRoute"/>: a 500 for the first request of a route in
    /// an account — before the work for reads and for sending an invoice (whose effect, an e-mail, no read can
    /// show), after it for every other write.
    /// </summary>
    private FaultRule? FirstOfRoute(string account, string route, string method) =>
        environment.Options.FaultFirstRequestOfEachRoute && this.routesSeen.TryAdd((account, route), 0)
            ? new FaultRule(method == "GET" || route == SendRoute ? FaultKind.ServerErrorBeforeWork : FaultKind.ServerErrorAfterWork)
            : null;

    private const string SendRoute = "POST /v1/invoices/{id}/send";

    private static FakeResponse ServerError(FaultRule fault) =>
        fault.RawBody is { } raw
            ? new FakeResponse(fault.StatusCode, Encoding.UTF8.GetBytes(raw))
            : FakeResponse.Error(
                fault.StatusCode,
                fault.StatusCode >= 500 ? "api_error" : "invalid_request_error",
                fault.ErrorMessage ?? "An unknown error occurred (injected by the Stripe fake).",
                fault.ErrorCode);

    private static async Task DelayAsync(TimeSpan delay, CancellationToken aborted)
    {
        // Real time on purpose: the client's timeout runs on the wall clock even when the fake's clock is frozen.
        try
        {
            await Task.Delay(delay, aborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private (string? ApiKey, StripeApiException? Error) Authenticate(HttpRequest request)
    {
        var header = Header(request, "Authorization");
        if (header is null || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return (null, new StripeApiException(401, "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY')."));
        }

        var key = header["Bearer ".Length..].Trim();
        var masked = Masked(key);
        if (!key.StartsWith("sk_test_", StringComparison.Ordinal) && !key.StartsWith("rk_test_", StringComparison.Ordinal))
        {
            return (null, new StripeApiException(401, "invalid_request_error", $"Invalid API Key provided: {masked}", "api_key_invalid"));
        }

        if (this.revokedKeys.ContainsKey(key) || environment.Options.RevokedApiKeys.Contains(key))
        {
            return (null, new StripeApiException(401, "invalid_request_error", $"Expired API Key provided: {masked}", "api_key_expired"));
        }

        return (key, null);
    }

    private static string Masked(string key) => key.Length > 4 ? $"{key[..Math.Min(8, key.Length - 4)]}****{key[^4..]}" : "****";

    private async Task AnswerAsync(HttpContext http, RequestState state, FakeResponse answer, RequestOutcome outcome, bool? shouldRetry = null)
    {
        var response = http.Response;
        response.StatusCode = answer.Status;
        response.ContentType = "application/json";
        response.ContentLength = answer.Body.Length;
        var headers = response.Headers;
        headers["Request-Id"] = state.RequestId;
        headers["Stripe-Version"] = Header(http.Request, "Stripe-Version") ?? environment.Options.ApiVersion;
        if (state.IdempotencyKey is not null && state.Method == "POST")
        {
            headers["Idempotency-Key"] = state.IdempotencyKey;
        }

        if (state.Replayed)
        {
            headers["Idempotent-Replayed"] = "true";
        }

        if (shouldRetry is { } retry)
        {
            headers["Stripe-Should-Retry"] = retry ? "true" : "false";
        }

        this.Log(state, answer.Status, outcome);
        try
        {
            await response.Body.WriteAsync(answer.Body, http.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Log(RequestState state, int status, RequestOutcome outcome)
    {
        if (environment.Options.RecordRequestLog)
        {
            log.Enqueue(new RequestLogEntry(state.At, state.Method, state.Path, state.Route, state.Account, state.IdempotencyKey, status, outcome, state.RequestId));
        }
    }

    private static async Task<string> ReadBodyAsync(HttpRequest request)
    {
        using var reader = new StreamReader(request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync().ConfigureAwait(false);
    }

    private static string? Header(HttpRequest request, string name) =>
        request.Headers.TryGetValue(name, out var values) && values.Count > 0 && !string.IsNullOrEmpty(values[0]) ? values[0] : null;

    // A base URL with a trailing slash makes Stripe.net send "//v1/..."; treat it as "/v1/...".
    private static string NormalizePath(string? path) =>
        "/" + string.Join('/', (path ?? string.Empty).Split('/', StringSplitOptions.RemoveEmptyEntries));

    private sealed class RequestState(DateTimeOffset at, string method, string path, string requestId, string? idempotencyKey)
    {
        public DateTimeOffset At { get; } = at;

        public string Method { get; } = method;

        public string Path { get; } = path;

        public string RequestId { get; } = requestId;

        public string? IdempotencyKey { get; } = idempotencyKey;

        public string? Account { get; set; }

        public string Route { get; set; } = string.Empty;

        public bool Replayed { get; set; }
    }
}
