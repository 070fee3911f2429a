using TenantBilling.TestSupport;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Storage;
using Orleans.TestingHost;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Silo.Hosting;

namespace TenantBilling.Grains.Tests.Support;

/// <summary>
/// One in-process silo with in-memory storage and reminders, the product's grain services, a clock
/// the tests set, the hand-over double, a tax provider that can be made to fail and storage writes a test can fail.
/// </summary>
public sealed class BillingCluster : IAsyncLifetime
{
    public static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(1);

    public ManualClock Clock { get; } = new(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));

    public HandOverRecorder HandOvers { get; } = new();

    public SwitchableTaxProvider Taxes { get; } = new(new RateTableTaxProvider(TaxRateTableLoader.LoadEmbedded()));

    /// <summary>Failures a test injects into grain storage writes.</summary>
    public InjectedFaults Faults { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.AddMemoryGrainStorage(StorageNames.Billing);
            silo.Services.AddKeyedSingleton<IGrainStorage>(
                StorageNames.Billing, (sp, key) => new FaultyStorage(MemoryGrainStorageFactory.Create(sp, (string)key!), Faults));
            silo.UseInMemoryReminderService();
            silo.Configure<ReminderOptions>(o => o.MinimumReminderPeriod = RetryInterval);
            silo.Services.Configure<BillingOptions>(o => o.RetryInterval = RetryInterval);
            silo.Services.AddKeyedSingleton<TimeProvider>(BillingClock.Key, Clock);
            silo.Services.AddSingleton<ITaxProvider>(Taxes);
            silo.Services.AddTenantBillingGrainServices(new ConfigurationBuilder().Build());
            silo.AddIncomingGrainCallFilter(new StripeInvoiceDouble(HandOvers));
            silo.AddOutgoingGrainCallFilter(new AnswerFirstCalls(Faults));
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    /// <summary>The names of the reminders registered for <paramref name="grain"/>, read from the silo's reminder table.</summary>
    public async Task<IReadOnlyList<string>> ReminderNamesAsync(IAddressable grain)
    {
        var table = Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<IReminderTable>();
        return [.. (await table.ReadRows(grain.GetGrainId())).Reminders.Select(reminder => reminder.ReminderName)];
    }

    /// <summary>The billing alarms of an account stored in the silo's reminder table (their grain keys), read across the whole ring.</summary>
    public async Task<IReadOnlyList<string>> AlarmRemindersAsync(string accountId)
    {
        var table = Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredService<IReminderTable>();
        var rows = (await table.ReadRows(0, uint.MaxValue)).Reminders.Concat((await table.ReadRows(uint.MaxValue, 0)).Reminders);
        return [.. rows
            .Where(r => r.GrainId.Type.ToString() == "billing-alarm" && r.GrainId.Key.ToString()!.StartsWith(accountId + "/", StringComparison.Ordinal))
            .Select(r => r.GrainId.Key.ToString()!)
            .Distinct()];
    }

    /// <summary>What grain storage holds for a grain, read past its activation.</summary>
    public async Task<T> StoredAsync<T>(string stateName, string grainType, string key)
        where T : new()
    {
        var storage = Cluster.GetSiloServiceProvider(Cluster.Silos[0].SiloAddress).GetRequiredKeyedService<IGrainStorage>(StorageNames.Billing);
        var state = new GrainState<T>(new T());
        await storage.ReadStateAsync(stateName, GrainId.Create(grainType, key), state);
        return state.State ?? new T();
    }

    /// <summary>Deactivates every idle activation, as a silo does under memory pressure or on shutdown.</summary>
    public Task DeactivateAllAsync() => Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
}

[CollectionDefinition(Name)]
public sealed class BillingClusterTests : ICollectionFixture<BillingCluster>
{
    public const string Name = "billing cluster";
}
