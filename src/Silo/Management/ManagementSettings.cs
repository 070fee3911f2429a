using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;

namespace TenantBilling.Silo.Management;

/// <summary>
/// The management listener (configuration section "Management"): health probes and the Prometheus scrape
/// for the cluster's own network, never for the public. A silo always has one; the API has one only when
/// <see cref="Url"/> is set, and then serves /metrics and the dashboard there and nowhere else.
/// </summary>
public sealed class ManagementSettings
{
    public const string Section = "Management";

    /// <summary>Where a silo listens when nothing is configured: loopback only.</summary>
    public const string SiloDefaultUrl = "http://127.0.0.1:8081";

    /// <summary>One URL with an explicit port, e.g. <c>http://0.0.0.0:8081</c>.</summary>
    public string? Url { get; set; }

    public static ManagementSettings From(IConfiguration configuration) =>
        configuration.GetSection(Section).Get<ManagementSettings>() ?? new ManagementSettings();

    /// <summary>The port of <see cref="Url"/>; a URL without an explicit port stops start-up.</summary>
    public int? Port => Url is null ? null : PortOf(Url);

    public static int PortOf(string url)
    {
        var address = BindingAddress.Parse(url);
        return address.Port > 0 && !url.EndsWith(":0", StringComparison.Ordinal) && url.Contains($":{address.Port}", StringComparison.Ordinal)
            ? address.Port
            : throw new InvalidOperationException($"Management:Url needs an explicit port other than 0 (got '{url}').");
    }
}
