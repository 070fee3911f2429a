namespace TenantBilling.Grains.Interfaces.Models;

/// <summary>
/// The carrier's summary of one tenant's usage for one closed month: quantities per product and
/// what the account pays the carrier for the tenant (<see cref="UsageTotal"/>, USD).
/// </summary>
[GenerateSerializer, Immutable, Alias("statement")]
public sealed record Statement(
    [property: Id(0)] decimal UsageTotal,
    [property: Id(1)] IReadOnlyDictionary<string, decimal> Quantities)
{
    /// <summary>Same usage total and the same quantities (a product with quantity 0 equals an absent one).</summary>
    public bool HasSameContent(Statement other)
    {
        if (UsageTotal != other.UsageTotal)
        {
            return false;
        }

        static IEnumerable<KeyValuePair<string, decimal>> NonZero(Statement s) => s.Quantities.Where(q => q.Value != 0);
        var mine = NonZero(this).ToDictionary(q => q.Key, q => q.Value, StringComparer.Ordinal);
        var theirs = NonZero(other).ToList();
        return mine.Count == theirs.Count && theirs.All(q => mine.TryGetValue(q.Key, out var v) && v == q.Value);
    }
}

[GenerateSerializer, Alias("statement-outcome")]
public enum StatementOutcome
{
    /// <summary>First statement for the period (201).</summary>
    Created,
    /// <summary>The same content again: nothing changed (200).</summary>
    Replayed,
    /// <summary>Different content for a period not yet invoiced: replaced and rescheduled (200).</summary>
    Replaced,
    /// <summary>
    /// A statement for a month whose invoice is void (or was voided for it, while open): the month is invoiced again at once
    /// as the next revision (201).
    /// </summary>
    Revised,
}

/// <summary>What accepting a statement did.</summary>
/// <param name="ScheduledFor">When its invoice is due, or null when nothing is scheduled, and then <paramref name="NotScheduled"/> says why.</param>
[GenerateSerializer, Immutable, Alias("statement-accepted")]
public sealed record StatementAccepted(
    [property: Id(0)] StatementOutcome Outcome,
    [property: Id(1)] string Period,
    [property: Id(2)] DateTimeOffset? ScheduledFor,
    [property: Id(3)] NotScheduled? NotScheduled = null);
