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

/// <summary>Server-wide facts endpoints need: options, the public base URL, and how new ids look.</summary>
internal sealed class FakeEnvironment(StripeSandboxOptions options)
{
    public StripeSandboxOptions Options { get; } = options;

    public string ApiBase { get; set; } = string.Empty;

    /// <summary>A new customer's or invoice's id: Stripe's prefix, then <c>sandbox_</c> with <see cref="StripeSandboxOptions.SandboxIds"/>.</summary>
    public string NewVisibleId(string prefix) => Ids.New(this.Options.SandboxIds ? prefix + "_sandbox" : prefix);

    /// <summary>A new customer's invoice-number prefix: Stripe's 8 characters, or <c>SANDBOX-</c> and 4 with <see cref="StripeSandboxOptions.SandboxIds"/>.</summary>
    public string NewInvoicePrefix() => this.Options.SandboxIds ? "SANDBOX-" + Ids.Random(4) : Ids.InvoicePrefix();

    /// <summary>Where an open invoice's page is served (its <c>hosted_invoice_url</c>).</summary>
    public string HostedInvoiceUrl(string accountId, string invoiceId) => $"{this.ApiBase}{Pages.HostedPages.InvoicePath(accountId, invoiceId)}";
}
