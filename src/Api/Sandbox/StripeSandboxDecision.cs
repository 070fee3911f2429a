namespace TenantBilling.Api.Sandbox;

/// <summary>
/// Whether this process runs the Stripe sandbox, and why (or why not). The rules:
/// <list type="number">
/// <item>Never in Production: with <c>StripeSandbox:Enabled</c> there, the process refuses to start.</item>
/// <item>Only with the embedded silo (no <c>ConnectionStrings:Orleans</c>, <c>Api:Cluster=CoHosted</c>): the
/// sandbox keeps its Stripe objects in this process's memory, as the embedded silo keeps the invoices that
/// point at them; a cluster on PostgreSQL would outlive them, and each of its processes would have a Stripe of its own.</item>
/// <item>Only when Stripe is not configured (<c>Stripe:ApiBase</c>, <c>PlatformSecretKey</c> or <c>Mode</c>):
/// a configured Stripe always wins.</item>
/// </list>
/// </summary>
public sealed record StripeSandboxDecision(bool Runs, string Reason)
{
    public static StripeSandboxDecision For(bool enabled, bool production, bool embedded, bool stripeConfigured)
    {
        if (enabled && production)
        {
            throw new InvalidOperationException(
                "The Stripe sandbox (StripeSandbox:Enabled) is refused in the Production environment: production invoices go to Stripe. Remove the setting.");
        }

        return !enabled ? new(false, "StripeSandbox:Enabled is off.")
            : !embedded ? new(false, "The Stripe sandbox runs only with the embedded silo (no ConnectionStrings:Orleans, Api:Cluster=CoHosted): it keeps its Stripe in this process's memory.")
            : stripeConfigured ? new(false, "Stripe is configured (Stripe:ApiBase, Stripe:PlatformSecretKey or Stripe:Mode), and a configured Stripe wins over the sandbox.")
            : new(true, "Development-style run with the embedded silo and no Stripe configured.");
    }
}
