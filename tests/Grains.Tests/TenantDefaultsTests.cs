using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;
using static TenantBilling.Grains.Tests.Support.Scenario;

namespace TenantBilling.Grains.Tests;

/// <summary>A new tenant starts unvalidated and unexempt, whatever other tenants were read from storage before it.</summary>
[Collection(BillingClusterTests.Name)]
public sealed class TenantDefaultsTests(BillingCluster cluster)
{
    [Fact]
    public async Task Reading_back_a_validated_exempt_tenant_leaves_a_new_tenant_unvalidated_and_unexempt()
    {
        cluster.Clock.Set(Utc(2026, 11, 2));
        var validated = await StartAsync(cluster.Grains, billingDay: null);
        await validated.Tenant.SetTaxExemptionsAsync(new TaxExemptions(true, true, true));
        await cluster.DeactivateAllAsync();
        Assert.True((await validated.Tenant.GetAsync())!.AddressStatus.Validated);   // read back from storage

        var fresh = cluster.Grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(validated.AccountId, "tenant-2"));
        var saved = await fresh.SaveDetailsAsync(new TenantDetails("New", "+15125550102", "new@example.com", "New", "+15125550103", AustinAddress));

        Assert.False(saved.Tenant.AddressStatus.Validated);
        Assert.Null(saved.Tenant.AddressStatus.Jurisdiction);
        Assert.Equal(new TaxExemptions(false, false, false), saved.Tenant.TaxExemptions);
        var refused = await Assert.ThrowsAsync<BillingProblemException>(() => fresh.SetBillingProfileAsync(
            new BillingProfileInput(false, true, 20, new Dictionary<string, decimal> { ["minutes_outbound"] = 0.02m }, [])));
        Assert.Equal(ProblemKind.Conflict, refused.Kind);
    }
}
