using TenantBilling.Grains.Interfaces;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.OneTimeInvoices;

/// <summary>
/// The rules of a one-time invoice: its request id makes it idempotent (the same items answer the invoice
/// already sent, other items are a conflict), it needs a billing profile, and a catalogue product needs the
/// profile's price for it.
/// </summary>
public static class OneTimeInvoiceRules
{
    /// <summary>
    /// Refuses a request id already used for other items. An item repeats a sent line when quantity and product
    /// agree and every field the request gives (description, unit price, tax category) equals the line's.
    /// </summary>
    public static void EnsureSameItems(string requestId, InvoiceDraft sent, IReadOnlyList<OneTimeItem> items)
    {
        if (!SameItems(sent, items))
        {
            throw BillingProblemException.Conflict($"Request '{requestId}' was already used for other items.");
        }
    }

    public static bool SameItems(InvoiceDraft sent, IReadOnlyList<OneTimeItem> items) =>
        sent.Lines.Count == items.Count
        && sent.Lines.Zip(items).All(pair =>
            pair.First.Quantity == pair.Second.Quantity
            && pair.First.ProductCode == pair.Second.ProductCode
            && (pair.Second.Description is null || pair.First.Description == pair.Second.Description)
            && (pair.Second.UnitPrice is null || pair.First.UnitPrice == pair.Second.UnitPrice)
            && (pair.Second.TaxCategory is null || pair.First.TaxCategory == pair.Second.TaxCategory));

    /// <summary>The profile the invoice is composed under (auto-charge, taxes, prices); a conflict without one.</summary>
    public static BillingProfile RequireProfile(BillingProfile? profile) =>
        profile ?? throw BillingProblemException.Conflict("The tenant has no billing profile: it sets auto-charge, taxes and product prices.");

    /// <summary>Refuses, per item, a catalogue product the profile has no price for, naming the priced ones.</summary>
    public static void EnsurePriced(BillingProfile profile, IReadOnlyList<OneTimeItem> items)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            if (items[i].ProductCode is { } code && !profile.Prices.ContainsKey(code))
            {
                errors[$"items[{i}].productCode"] = [$"The billing profile has no price for '{code}'. Priced: {string.Join(", ", profile.Prices.Keys.Order(StringComparer.Ordinal))}."];
            }
        }

        if (errors.Count > 0)
        {
            throw BillingProblemException.Invalid(errors);
        }
    }
}
