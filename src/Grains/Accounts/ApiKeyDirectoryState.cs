namespace TenantBilling.Grains.Accounts;

[GenerateSerializer, Alias("api-key-directory-state")]
public sealed class ApiKeyDirectoryState
{
    /// <summary>Live key ids in ordinal order.</summary>
    [Id(0)] public List<string> KeyIds { get; set; } = [];

    /// <summary>Grows with every change, so API processes fetch the ids only when they changed.</summary>
    [Id(1)] public long Version { get; set; }

    /// <summary>True once the keys issued before the directory existed were copied in from the accounts.</summary>
    [Id(2)] public bool Seeded { get; set; }
}
