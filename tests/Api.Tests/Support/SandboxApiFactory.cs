using System.Security.Cryptography;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Api.Sandbox;

namespace TenantBilling.Api.Tests.Support;

/// <summary>
/// The API as a newcomer runs it: no Stripe configured, the Stripe sandbox enabled, so the product runs
/// its own sandbox (on its own loopback port) and every invoice goes there.
/// </summary>
public class SandboxApiFactory : ApiFactory
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseSetting("StripeSandbox:Enabled", "true");
        builder.UseSetting("Stripe:EncryptionKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
        builder.UseSetting("Billing:QuickRetryDelay", "00:00:00.050");
    }

    /// <summary>The sandbox the product runs (started with the host).</summary>
    public StripeSandbox.StripeSandboxServer Sandbox => Services.GetRequiredService<StripeSandboxHost>().Server;
}
