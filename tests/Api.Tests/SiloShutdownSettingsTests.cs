using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TenantBilling.Silo;
using TenantBilling.Silo.Hosting;

namespace TenantBilling.Api.Tests;

/// <summary>The silo's shutdown bound is set explicitly on its host, can be changed, and a drain that leaves no time to leave is refused at start.</summary>
public sealed class SiloShutdownSettingsTests
{
    [Fact]
    public void A_silo_exits_within_20_s_of_which_busy_grains_get_10_s()
    {
        Assert.Equal(TimeSpan.FromSeconds(20), ShutdownTimeoutOf(SiloProgram.Build([])));
        Assert.Equal((TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(10)), (new ShutdownSettings().Timeout, new ShutdownSettings().DrainTimeout));
    }

    [Fact]
    public void The_bound_follows_configuration() =>
        Assert.Equal(TimeSpan.FromSeconds(40), ShutdownTimeoutOf(SiloProgram.Build(["--Shutdown:Timeout=00:00:40", "--Shutdown:DrainTimeout=00:00:30"])));

    [Theory]
    [InlineData("00:00:15", "00:00:15")]
    [InlineData("00:00:15", "00:00:20")]
    [InlineData("00:00:15", "00:00:00")]
    public void A_drain_not_below_the_timeout_stops_start_up_naming_both_settings(string timeout, string drain)
    {
        var refused = Assert.Throws<InvalidOperationException>(() => SiloProgram.Build([$"--Shutdown:Timeout={timeout}", $"--Shutdown:DrainTimeout={drain}"]));
        Assert.Contains("Shutdown:DrainTimeout", refused.Message, StringComparison.Ordinal);
        Assert.Contains("Shutdown:Timeout", refused.Message, StringComparison.Ordinal);
    }

    private static TimeSpan ShutdownTimeoutOf(Microsoft.AspNetCore.Builder.WebApplication silo)
    {
        using (silo)
        {
            return silo.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        }
    }
}
