namespace TenantBilling.Grains.Accounts;

[GenerateSerializer, Alias("api-key-state")]
public sealed class ApiKeyState
{
    [Id(0)] public string? AccountId { get; set; }
    [Id(1)] public string? SecretHash { get; set; }
    [Id(2)] public bool Revoked { get; set; }
}
