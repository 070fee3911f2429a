namespace TenantBilling.Grains.Accounts;

[GenerateSerializer, Alias("account-directory-state")]
public sealed class AccountDirectoryState
{
    [Id(0)] public List<string> AccountIds { get; set; } = [];
}
