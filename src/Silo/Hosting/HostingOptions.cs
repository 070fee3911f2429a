namespace TenantBilling.Silo.Hosting;

/// <summary>Cluster settings (configuration section "Orleans").</summary>
public sealed class ClusterSettings
{
    public const string Section = "Orleans";

    /// <summary>Silos and clients with the same cluster id form one cluster.</summary>
    public string ClusterId { get; set; } = "tenant-billing";

    /// <summary>Names the deployment across restarts; grain state and reminders are stored under it.</summary>
    public string ServiceId { get; set; } = "tenant-billing";

    public int SiloPort { get; set; } = 11111;

    public int GatewayPort { get; set; } = 30000;

    /// <summary>The address other silos reach this one at (PostgreSQL mode); loopback when unset.</summary>
    public string? AdvertisedIPAddress { get; set; }
}

/// <summary>Test mode (configuration section "TestMode"): lets the portal's QA move the clock.</summary>
public sealed class TestModeOptions
{
    public const string Section = "TestMode";

    public bool Enabled { get; set; }
}
