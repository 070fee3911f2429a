using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Interfaces;

/// <summary>The list of every account id (one grain, key "all"): the operator's account list and the test clock's sweep.</summary>
public interface IAccountDirectoryGrain : IGrainWithStringKey
{
    /// <summary>Adds an account id (idempotent).</summary>
    Task AddAsync(string accountId);

    /// <summary>Every account id, in order.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyList<string>> ListAsync();

    /// <summary>A page of account ids in id order, starting after <paramref name="after"/>.</summary>
    [AlwaysInterleave]
    Task<AccountIdPage> ListPageAsync(string? after, int limit);
}
