namespace TenantBilling.StripeSandbox;

/// <summary>What an injected fault does, and whether it strikes before or after the endpoint's work.</summary>
public enum FaultKind
{
    /// <summary>Answer a 5xx <c>api_error</c> without running the endpoint: nothing is created or stored.</summary>
    ServerErrorBeforeWork,

    /// <summary>
    /// Run the endpoint (its objects are created), then answer a 5xx <c>api_error</c>. By default the 5xx is
    /// what the idempotency key replays, as Stripe documents; see <see cref="FaultRule.ReplaySuccess"/>.
    /// </summary>
    ServerErrorAfterWork,

    /// <summary>Wait <see cref="FaultRule.Delay"/> before running; if the client gave up meanwhile, nothing runs.</summary>
    TimeoutBeforeWork,

    /// <summary>Run the endpoint and save its answer for the key, then wait <see cref="FaultRule.Delay"/> before answering.</summary>
    TimeoutAfterWork,

    /// <summary>Close the connection without an answer and without running: the client sees a network error at once.</summary>
    DropConnectionBeforeWork,

    /// <summary>Run the endpoint and save its answer for the key, then close the connection without answering.</summary>
    DropConnectionAfterWork,

    /// <summary>
    /// Hold the request while <see cref="FaultRule.WhileHeld"/> runs (something else happens meanwhile, such as
    /// the account connecting another Stripe), then run and answer it as if nothing struck. A client whose
    /// timeout passes meanwhile sees no answer, and nothing runs.
    /// </summary>
    HeldBeforeWork,
}

/// <summary>
/// A fault for requests matching <see cref="Method"/>, <see cref="Path"/> and <see cref="AccountId"/>,
/// striking the next <see cref="Count"/> of them (null: every one until removed).
/// </summary>
public sealed record FaultRule(FaultKind Kind)
{
    /// <summary>HTTP method to match (GET, POST, DELETE); null matches any.</summary>
    public string? Method { get; init; }

    /// <summary>Path glob: <c>*</c> matches within one segment, <c>**</c> across segments, e.g. <c>/v1/invoices/*/pay</c>.</summary>
    public string Path { get; init; } = "/**";

    /// <summary>Account to match (the <c>Stripe-Account</c> header, or the key's own account); null matches any.</summary>
    public string? AccountId { get; init; }

    /// <summary>How many matching requests it strikes; null for all until removed.</summary>
    public int? Count { get; init; } = 1;

    /// <summary>Status of a server error (500, 502, 503, ...).</summary>
    public int StatusCode { get; init; } = 500;

    /// <summary>
    /// For server errors: the answer's body as sent, in place of Stripe's error JSON (an HTML page from a proxy,
    /// say), so a product can be shown never to echo it. Null: Stripe's error object.
    /// </summary>
    public string? RawBody { get; init; }

    /// <summary>For server errors: the error's message (and <see cref="ErrorCode"/>) in Stripe's error object; a 4xx status makes it an <c>invalid_request_error</c>.</summary>
    public string? ErrorMessage { get; init; }

    public string? ErrorCode { get; init; }

    /// <summary>How long a timeout fault holds the request; make it longer than the client's timeout.</summary>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// <c>Stripe-Should-Retry</c> header on a server error: null omits it (Stripe.net then retries any 5xx),
    /// true or false tells Stripe.net whether to retry.
    /// </summary>
    public bool? ShouldRetry { get; init; }

    /// <summary>
    /// For <see cref="FaultKind.ServerErrorAfterWork"/>: true saves the real answer for the idempotency key, so a
    /// retry with the same key gets the object; false (default) saves the 5xx, as Stripe replays 500s.
    /// </summary>
    public bool ReplaySuccess { get; init; }

    /// <summary>For <see cref="FaultKind.HeldBeforeWork"/>: what happens while the request is held.</summary>
    public Func<Task>? WhileHeld { get; init; }

    /// <summary>For <see cref="FaultKind.HeldBeforeWork"/>: called when the server sees the client give up while the request is held.</summary>
    public Action? ClientGaveUpWhileHeld { get; init; }

    internal bool BeforeWork => this.Kind is FaultKind.ServerErrorBeforeWork or FaultKind.TimeoutBeforeWork or FaultKind.DropConnectionBeforeWork or FaultKind.HeldBeforeWork;

    /// <summary>A fault before the work after which the request goes on, unless its client gave up meanwhile.</summary>
    internal bool ThenWork => this.Kind is FaultKind.TimeoutBeforeWork or FaultKind.HeldBeforeWork;
}

/// <summary>A registered fault: how often it fired; <see cref="Remove"/> stops it.</summary>
public sealed class FaultHandle
{
    private readonly Action<FaultHandle> remove;
    private int fired;
    private int remaining;

    internal FaultHandle(FaultRule rule, Action<FaultHandle> remove)
    {
        this.Rule = rule;
        this.remove = remove;
        this.remaining = rule.Count ?? int.MaxValue;
    }

    /// <summary>The rule this handle stands for.</summary>
    public FaultRule Rule { get; }

    /// <summary>How many requests it struck.</summary>
    public int Fired => Volatile.Read(ref this.fired);

    /// <summary>Stops the fault from striking again.</summary>
    public void Remove() => this.remove(this);

    /// <summary>Claims one strike; false once the count is used up.</summary>
    internal bool TryFire()
    {
        while (true)
        {
            var left = Volatile.Read(ref this.remaining);
            if (left <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref this.remaining, left == int.MaxValue ? left : left - 1, left) == left)
            {
                Interlocked.Increment(ref this.fired);
                return true;
            }
        }
    }
}
