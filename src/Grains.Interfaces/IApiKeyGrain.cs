namespace TenantBilling.Grains.Interfaces;

/// <summary>One account API key, keyed by its key id: who it belongs to and the hash of its secret.</summary>
public interface IApiKeyGrain : IGrainWithStringKey
{
    /// <summary>Records a newly issued key. Called once by its account.</summary>
    Task RegisterAsync(string accountId, string secretHash);

    /// <summary>The account the key belongs to when the secret matches and the key is not revoked; else null.</summary>
    [AlwaysInterleave]
    Task<string?> AuthenticateAsync(string secretHash);

    /// <summary>Revokes the key for good.</summary>
    Task RevokeAsync();
}
