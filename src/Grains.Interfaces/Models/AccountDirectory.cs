namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>One page of account ids, in id order.</summary>
/// <param name="NextAfter">The id to page on from, or null on the last page.</param>
[GenerateSerializer, Immutable, Alias("account-id-page")]
public sealed record AccountIdPage(
    [property: Id(0)] IReadOnlyList<string> AccountIds,
    [property: Id(1)] string? NextAfter);
