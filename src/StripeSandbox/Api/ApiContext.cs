using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>What an endpoint sees of one request. Endpoints run holding <see cref="AccountState.Gate"/>.</summary>
internal sealed class ApiContext
{
    public required AccountState Account { get; init; }

    public required FormParams Form { get; init; }

    public required string? Id { get; init; }

    public required DateTimeOffset Now { get; init; }

    public required string RequestId { get; init; }

    public required string? IdempotencyKey { get; init; }

    public required FakeEnvironment Environment { get; init; }

    /// <summary>Events raised by this request, delivered to webhook endpoints once the request is done.</summary>
    public List<FakeEvent> RaisedEvents { get; } = [];

    public string RequiredId => this.Id ?? throw StripeApiException.InvalidRequest("Missing id in path.");
}

/// <summary>Server-wide facts endpoints need: options and the public base URL.</summary>
internal sealed class FakeEnvironment(StripeSandboxOptions options)
{
    public StripeSandboxOptions Options { get; } = options;

    public string ApiBase { get; set; } = string.Empty;
}
