namespace TenantBilling.Grains.Accounts;

[GenerateSerializer, Alias("stripe-connect-account-state")]
public sealed class StripeConnectAccountState
{
    /// <summary>The account the Connect account is bound to, or null.</summary>
    [Id(0)] public string? AccountId { get; set; }
}
