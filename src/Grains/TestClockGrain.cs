using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Grains;

/// <summary>
/// Holds the cluster's test clock and knows which silos run on which version of it: every silo reads it
/// every half second and says what it applied, so a change returns only when all
/// active silos run on it and a tenant woken right after, wherever it lives, sees the new "now".
/// </summary>
[GrainType("test-clock")]
public sealed class TestClockGrain(
    [PersistentState("test-clock", StorageNames.Billing)] IPersistentState<TestClockState> state,
    TestClock clock,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo) : Grain, ITestClockGrain
{
    /// <summary>How long a change waits for every silo (they read every half second); below the API's 5 s call timeout.</summary>
    public static readonly TimeSpan SiloWait = TimeSpan.FromSeconds(3);

    /// <summary>The version each silo said it runs on (silo address → version), since this activation began.</summary>
    private readonly Dictionary<string, long> _applied = new(StringComparer.Ordinal);

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        clock.Apply(state.State.Setting);
        _applied[localSilo.SiloAddress.ToParsableString()] = clock.Setting.Version;
        return Task.CompletedTask;
    }

    public async Task<TestClockSetting> SetAsync(DateTimeOffset now)
    {
        var setting = clock.SettingFor(now, state.State.Version);
        state.State.Version = setting.Version;
        state.State.Offset = setting.Offset;
        await state.WriteStateAsync();
        clock.Apply(setting);
        _applied[localSilo.SiloAddress.ToParsableString()] = setting.Version;

        var waited = TimeProvider.System.GetTimestamp();
        while (LaggingSilos(setting.Version) is { Count: > 0 } lagging)
        {
            if (TimeProvider.System.GetElapsedTime(waited) > SiloWait)
            {
                throw new BillingProblemException(
                    ProblemKind.Unavailable,
                    $"The test clock is set, but {lagging.Count} silo(s) have not taken it within {SiloWait.TotalSeconds:0} s (one is starting or being lost), so no tenant was woken; send the request again.");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50));
        }

        return setting;
    }

    public Task<TestClockSetting> GetAsync() => Task.FromResult(state.State.Setting);

    public Task<TestClockSetting> SyncAsync(string silo, long appliedVersion)
    {
        if (appliedVersion > _applied.GetValueOrDefault(silo))
        {
            _applied[silo] = appliedVersion;
        }

        return Task.FromResult(state.State.Setting);
    }

    private List<string> LaggingSilos(long version) =>
        [.. membership.CurrentSnapshot.Members.Values
            .Where(member => member.Status == SiloStatus.Active)
            .Select(member => member.SiloAddress.ToParsableString())
            .Where(silo => _applied.GetValueOrDefault(silo) < version)];
}
