using System.Globalization;

namespace TenantBilling.Grains.Interfaces;

public static partial class GrainKeys
{
    /// <summary>A billing day as bill runs name it: the UTC date of an instant, <c>yyyy-MM-dd</c>.</summary>
    public static string BillingDay(DateTimeOffset instant) => instant.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>One account's bill run for one billing day: <c>{accountId}/{yyyy-MM-dd}</c>.</summary>
    public static string BillRun(string accountId, string billingDay) => $"{accountId}/{billingDay}";

    public static (string AccountId, string BillingDay) ParseBillRun(string key)
    {
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? (key[..slash], key[(slash + 1)..]) : throw new FormatException($"'{key}' is not a bill run key.");
    }

    /// <summary>A billing day across accounts: <c>{yyyy-MM-dd}</c>.</summary>
    public static string BillRunDay(string billingDay) => billingDay;
}
