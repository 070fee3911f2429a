using System.Text.RegularExpressions;

namespace TenantBilling.Grains.Interfaces;

/// <summary>
/// The string keys of every grain, and the identifier rules they rest on. Keys are persisted
/// (grain state, reminders), so their shape never changes.
/// </summary>
public static partial class GrainKeys
{
    /// <summary>Account ids as the portal assigns them: <c>[a-z0-9-]{1,64}</c>.</summary>
    public static bool IsAccountId(string? value) => value is not null && AccountIdPattern().IsMatch(value);

    /// <summary>Tenant ids and one-time request ids: <c>[A-Za-z0-9_-]{1,64}</c> (no '/', which separates keys).</summary>
    public static bool IsTenantId(string? value) => value is not null && TokenPattern().IsMatch(value);

    /// <summary>One-time invoice request ids share the tenant id rule.</summary>
    public static bool IsRequestId(string? value) => IsTenantId(value);

    /// <summary>The one account directory.</summary>
    public const string AccountDirectory = "all";

    /// <summary>The one directory of live API key ids.</summary>
    public const string ApiKeyDirectory = "all";

    /// <summary>The one test clock of the cluster (test mode).</summary>
    public const string TestClock = "cluster";

    public static string Tenant(string accountId, string tenantId) => $"{accountId}/{tenantId}";

    public static (string AccountId, string TenantId) ParseTenant(string key)
    {
        var parts = key.Split('/');
        return parts.Length == 2
            ? (parts[0], parts[1])
            : throw new FormatException($"'{key}' is not a tenant key.");
    }

    /// <summary>The invoice for one closed month: <c>{accountId}/{tenantId}/{yyyy-MM}</c>.</summary>
    public static string MonthlyInvoice(string accountId, string tenantId, string period) => $"{accountId}/{tenantId}/{period}";

    /// <summary>
    /// A month's invoice by revision: the first (revision 0) is <see cref="MonthlyInvoice(string, string, string)"/>, unchanged;
    /// revision n replaces revision n − 1 after it was voided: <c>{accountId}/{tenantId}/{yyyy-MM}-r{n}</c>.
    /// </summary>
    public static string MonthlyInvoice(string accountId, string tenantId, string period, int revision) =>
        revision == 0 ? MonthlyInvoice(accountId, tenantId, period) : $"{accountId}/{tenantId}/{MonthlyInvoiceId(period, revision)}";

    /// <summary>The last part of a month's invoice key, as routes name it: <c>yyyy-MM</c>, or <c>yyyy-MM-r{n}</c> for revision n.</summary>
    public static string MonthlyInvoiceId(string period, int revision) => revision == 0 ? period : $"{period}-r{revision}";

    /// <summary>The most revisions one month can have.</summary>
    public const int MaxRevision = 999;

    /// <summary>A one-time invoice: <c>{accountId}/{tenantId}/once-{requestId}</c>.</summary>
    public static string OneTimeInvoice(string accountId, string tenantId, string requestId) => $"{accountId}/{tenantId}/once-{requestId}";

    /// <summary>The invoice history of one tenant for one calendar year: <c>{accountId}/{tenantId}/{yyyy}</c>.</summary>
    public static string InvoiceHistory(string accountId, string tenantId, int year) => $"{accountId}/{tenantId}/{year:D4}";

    /// <summary>An account's ledger for one month (fees, committed taxes): <c>{accountId}/{yyyy-MM}</c>.</summary>
    public static string AccountLedger(string accountId, string month) => $"{accountId}/{month}";

    /// <summary>One page of an account's ledger month (its records in arrival order): <c>{accountId}/{yyyy-MM}/{page, 5 digits}</c>.</summary>
    public static string AccountLedgerPage(string ledgerKey, int page) => $"{ledgerKey}/{page:D5}";

    /// <summary>
    /// One account's billing alarm for one instant (UTC, whole seconds, rounded up): <c>{accountId}/{yyyy-MM-ddTHH:mm:ssZ}</c>.
    /// </summary>
    public static string BillingAlarm(string accountId, DateTimeOffset instant)
    {
        var utc = instant.UtcDateTime;
        var seconds = utc.AddTicks((TimeSpan.TicksPerSecond - (utc.Ticks % TimeSpan.TicksPerSecond)) % TimeSpan.TicksPerSecond);
        return $"{accountId}/{seconds.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture)}";
    }

    public static (string AccountId, DateTimeOffset Instant) ParseBillingAlarm(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && DateTimeOffset.TryParseExact(key[(slash + 1)..], "yyyy-MM-dd'T'HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal | System.Globalization.DateTimeStyles.AdjustToUniversal, out var instant)
            ? (key[..slash], instant)
            : throw new FormatException($"'{key}' is not a billing alarm key.");
    }

    [GeneratedRegex("^[a-z0-9-]{1,64}$")]
    private static partial Regex AccountIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex TokenPattern();
}
