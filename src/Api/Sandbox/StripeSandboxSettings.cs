namespace TenantBilling.Api.Sandbox;

/// <summary>
/// Configuration section "StripeSandbox": whether this process may run the local Stripe sandbox
/// (<see cref="StripeSandboxDecision"/> says when it does), and how. On in appsettings.Development.json.
/// </summary>
public sealed class StripeSandboxSettings
{
    public const string Section = "StripeSandbox";

    /// <summary>Run the sandbox when nothing else is configured for Stripe and the silo is embedded. Refused in Production.</summary>
    public bool Enabled { get; set; }

    /// <summary>Its port on 127.0.0.1; 0 (the default) takes a free one, shown in the log and in every invoice's page URL.</summary>
    public int Port { get; set; }

    /// <summary>
    /// Fail the first request of each Stripe route once, as Stripe can (the fake's "Stripe as it is" fault): off,
    /// so a first invoice goes through at once; turn it on to watch the product retry.
    /// </summary>
    public bool FaultFirstRequestOfEachRoute { get; set; }
}
