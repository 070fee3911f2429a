namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// The cluster's test clock (test mode only; one grain, key <see cref="GrainKeys.TestClock"/>): the offset
/// from real time that every silo and API process adds to billing's "now". It is stored, so it outlives
/// any silo, and each process reads it through a short cache.
/// </summary>
public interface ITestClockGrain : IGrainWithStringKey
{
    /// <summary>
    /// Makes billing's "now" read as <paramref name="now"/> from this moment on, and returns once every
    /// active silo has taken the new offset. Unavailable when a silo has not taken it within a few seconds
    /// (it is being lost or is starting): the offset is set anyway, and repeating the call is safe.
    /// </summary>
    Task<TestClockSetting> SetAsync(DateTimeOffset now);

    /// <summary>The current setting.</summary>
    [AlwaysInterleave]
    Task<TestClockSetting> GetAsync();

    /// <summary>A silo's periodic read: says which version it runs on and gets the current setting.</summary>
    [AlwaysInterleave]
    Task<TestClockSetting> SyncAsync(string silo, long appliedVersion);
}

/// <summary>One setting of the test clock: billing "now" is real UTC time plus <see cref="Offset"/>; versions only grow.</summary>
[GenerateSerializer, Immutable, Alias("test-clock-setting")]
public sealed record TestClockSetting([property: Id(0)] long Version, [property: Id(1)] TimeSpan Offset)
{
    public static readonly TestClockSetting RealTime = new(0, TimeSpan.Zero);
}
