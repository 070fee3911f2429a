using TenantBilling.TestSupport;
using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Tests.Support;

/// <summary>A fresh account with one tenant, set up the way the portal would, for one test.</summary>
public sealed class Scenario
{
    public static readonly PostalAddress AustinAddress = new("100 Congress Ave", null, "Austin", "TX", "78701", "US");

    private Scenario(IGrainFactory grains, string accountId, string tenantId)
    {
        Grains = grains;
        AccountId = accountId;
        TenantId = tenantId;
    }

    public IGrainFactory Grains { get; }

    public string AccountId { get; }

    public string TenantId { get; }

    public ITenantGrain Tenant => Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(AccountId, TenantId));

    public IRemindable Reminders => Tenant.AsReference<IRemindable>();

    public string InvoiceKey(string period) => GrainKeys.MonthlyInvoice(AccountId, TenantId, period);

    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0) => new(year, month, day, hour, 0, 0, TimeSpan.Zero);

    /// <summary>Creates the tenant, validates its address and, unless <paramref name="billingDay"/> is null, gives it a profile at the current clock.</summary>
    public static async Task<Scenario> StartAsync(IGrainFactory grains, int? billingDay = 20, bool includeTaxes = false, PostalAddress? address = null)
    {
        var scenario = new Scenario(grains, $"acct-{Guid.NewGuid():N}"[..20], "tenant-1");
        await grains.GetGrain<IAccountGrain>(scenario.AccountId).CreateAsync("Acme VoIP");
        await scenario.Tenant.SaveDetailsAsync(new TenantDetails(
            "Bob's Bakery", "+15125550100", "ap@bobs.example", "Bob Baker", "+15125550101", address ?? AustinAddress));
        await scenario.Tenant.ValidateAddressAsync();
        if (billingDay is { } day)
        {
            await scenario.SetProfileAsync(day, includeTaxes);
        }

        return scenario;
    }

    public Task<BillingProfile> SetProfileAsync(int billingDay, bool includeTaxes = false) =>
        Tenant.SetBillingProfileAsync(new BillingProfileInput(
            AutoCharge: false,
            IncludeTaxes: includeTaxes,
            BillingDay: billingDay,
            Prices: new Dictionary<string, decimal> { ["minutes_outbound"] = 0.02m, ["local_numbers"] = 1.50m },
            RecurringItems: [new RecurringItem("Hosted PBX seat", 3, 19.99m, TaxCategory.VoipSeats)]));

    public static Statement Usage(decimal minutes, decimal usageTotal = 42.10m) =>
        new(usageTotal, new Dictionary<string, decimal> { ["minutes_outbound"] = minutes, ["local_numbers"] = 4 });

    /// <summary>What the reminder service does on a tick.</summary>
    public Task FireReminderAsync() => Reminders.ReceiveReminder("invoice-due", default);
}
