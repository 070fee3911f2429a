using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Accounts;

[GenerateSerializer, Alias("account-state")]
public sealed class AccountState
{
    [Id(0)] public string? Name { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public AccountSettings Settings { get; set; } = AccountSettings.Default;
    [Id(3)] public List<ApiKeyView> ApiKeys { get; set; } = [];

    /// <summary>Tenant ids in ordinal order (bounded by the account's tenant count).</summary>
    [Id(4)] public List<string> TenantIds { get; set; } = [];

    [Id(5)] public StripeConnectionView Stripe { get; set; } = new(StripeConnectionMode.NotConnected, null, null, null, null);

    /// <summary>The account's own Stripe key, encrypted (<see cref="Integrations.Stripe.SecretProtector"/>); null for Connect.</summary>
    [Id(6)] public byte[]? EncryptedSecretKey { get; set; }

    /// <summary>Invoices that fell due while Stripe was disconnected (bounded by the tenants' invoices of those months).</summary>
    [Id(7)] public List<string> HeldInvoiceKeys { get; set; } = [];

    /// <summary>Which Stripe account the connection reaches; see <see cref="Interfaces.Models.StripeAccess.StripeIdentity"/>.</summary>
    [Id(8)] public string? StripeIdentity { get; set; }

    /// <summary>The signing secret of the account's own webhook endpoint (key connections), encrypted.</summary>
    [Id(9)] public byte[]? EncryptedWebhookSecret { get; set; }

    public bool Exists => Name is not null;
}
