using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains;

[GenerateSerializer, Alias("test-clock-state")]
public sealed class TestClockState
{
    [Id(0)] public long Version { get; set; }

    [Id(1)] public TimeSpan Offset { get; set; }

    public TestClockSetting Setting => new(Version, Offset);
}
