using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;
using TenantBilling.Grains.Tests.Support;

namespace TenantBilling.Grains.Tests;

/// <summary>The cluster-wide index that gives each Connect account id to one account only.</summary>
[Collection(StripeClusterTests.Name)]
public sealed class StripeConnectAccountTests(OneSiloStripeCluster cluster)
{
    private static string NewConnectAccount() => $"acct_{Guid.NewGuid():N}"[..21];

    private async Task<IAccountGrain> NewAccountAsync()
    {
        var account = cluster.Grains.GetGrain<IAccountGrain>($"acct-{Guid.NewGuid():N}"[..20]);
        await account.CreateAsync("Reseller");
        return account;
    }

    [Fact]
    public async Task An_id_in_use_is_refused_to_a_second_account_and_the_index_names_its_holder()
    {
        var (holder, other) = (await NewAccountAsync(), await NewAccountAsync());
        var id = NewConnectAccount();
        await holder.ConnectStripeAsync(new StripeCredentials(id, null));

        var conflict = await Assert.ThrowsAsync<BillingProblemException>(() => other.ConnectStripeAsync(new StripeCredentials(id, null)));

        Assert.Equal(ProblemKind.Conflict, conflict.Kind);
        Assert.Equal(holder.GetPrimaryKeyString(), await cluster.Grains.GetGrain<IStripeConnectAccountGrain>(id).GetOwnerAsync());
        Assert.Equal(StripeConnectionMode.NotConnected, (await other.GetAsync())!.Stripe.Mode);
    }

    [Fact]
    public async Task A_release_lost_to_a_failure_does_not_lock_the_id_because_the_holder_is_asked_first()
    {
        var (first, second) = (await NewAccountAsync(), await NewAccountAsync());
        var (old, replacement) = (NewConnectAccount(), NewConnectAccount());
        await first.ConnectStripeAsync(new StripeCredentials(old, null));

        cluster.Faults.FailNextCall(nameof(IStripeConnectAccountGrain.ReleaseAsync));
        await first.ConnectStripeAsync(new StripeCredentials(replacement, null));
        Assert.Equal(first.GetPrimaryKeyString(), await cluster.Grains.GetGrain<IStripeConnectAccountGrain>(old).GetOwnerAsync());

        await second.ConnectStripeAsync(new StripeCredentials(old, null));
        Assert.Equal(second.GetPrimaryKeyString(), await cluster.Grains.GetGrain<IStripeConnectAccountGrain>(old).GetOwnerAsync());
        Assert.Equal((StripeConnectionMode.Connect, replacement), ((await first.GetAsync())!.Stripe.Mode, (await first.GetAsync())!.Stripe.StripeAccountId));
    }
}
