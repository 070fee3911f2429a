namespace TenantBilling.Grains;

/// <summary>Names of the Orleans providers the grains use; hosting registers providers under them.</summary>
public static class StorageNames
{
    /// <summary>Grain state storage for every persistent grain.</summary>
    public const string Billing = "billing";
}
