using TenantBilling.Grains.Domain.Schedule;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Domain.Validation;

/// <summary>A recurring or one-time custom item as it arrives, before validation.</summary>
public sealed record ItemInput(string? Description, decimal? Quantity, decimal? UnitPrice, string? TaxCategory, string? ProductCode = null);

/// <summary>
/// Rules for billing profiles, statements and one-time items: billing day 1–31; unit prices ≥ 0 with
/// at most 6 decimals; quantities ≥ 0 (recurring and one-time items: &gt; 0) with at most 6 decimals;
/// product codes from the catalogue only; items need a description and a known tax category.
/// </summary>
public static class BillingRules
{
    public static BillingProfileInput? Profile(
        FieldErrors errors, bool? autoCharge, bool? includeTaxes, int? billingDay,
        IReadOnlyDictionary<string, decimal?>? prices, IReadOnlyList<ItemInput?>? recurringItems)
    {
        errors.Required("autoCharge", autoCharge);
        errors.Required("includeTaxes", includeTaxes);
        if (errors.Required("billingDay", billingDay) is { } day && day is < BillingSchedule.FirstBillingDay or > BillingSchedule.LastBillingDay)
        {
            errors.Add("billingDay", "A day of the month, 1–31 (a day past the month's end means its last day).");
        }

        var validPrices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (code, price) in prices ?? new Dictionary<string, decimal?>())
        {
            var field = $"prices.{code}";
            if (!ProductCatalog.IsKnown(code))
            {
                errors.Add(field, ProductCatalog.UnknownCodeMessage);
            }
            else if (errors.Amount(field, price, Limits.PriceDecimals, Limits.MaxUnitPrice) is { } valid)
            {
                validPrices[code] = valid;
            }
        }

        var items = new List<RecurringItem>();
        var given = recurringItems ?? [];
        if (given.Count > Limits.MaxRecurringItems)
        {
            errors.Add("recurringItems", $"At most {Limits.MaxRecurringItems} items.");
        }

        for (var i = 0; i < given.Count && i < Limits.MaxRecurringItems; i++)
        {
            if (CustomItem(errors, $"recurringItems[{i}]", given[i]) is { } item)
            {
                items.Add(new RecurringItem(item.Description!, item.Quantity, item.UnitPrice!.Value, item.TaxCategory!.Value));
            }
        }

        return errors.IsEmpty
            ? new BillingProfileInput(autoCharge!.Value, includeTaxes!.Value, billingDay!.Value, validPrices, items)
            : null;
    }

    /// <summary>A statement for a closed month (at <paramref name="now"/>), known products only.</summary>
    public static Statement? Statement(
        FieldErrors errors, string? period, DateTimeOffset now, decimal? usageTotal, IReadOnlyDictionary<string, decimal?>? quantities)
    {
        Period(errors, "period", period, now);
        var total = errors.Amount("usageTotal", usageTotal, Limits.UsageDecimals, Limits.MaxUsageTotal);
        var validQuantities = new Dictionary<string, decimal>(StringComparer.Ordinal);
        if (quantities is null)
        {
            errors.Add("quantities", "Required (an object of productCode: quantity; may be empty).");
        }
        else
        {
            foreach (var (code, quantity) in quantities)
            {
                var field = $"quantities.{code}";
                if (!ProductCatalog.IsKnown(code))
                {
                    errors.Add(field, ProductCatalog.UnknownCodeMessage);
                }
                else if (errors.Amount(field, quantity, Limits.QuantityDecimals, Limits.MaxQuantity) is { } valid)
                {
                    validQuantities[code] = valid;
                }
            }
        }

        return errors.IsEmpty ? new Statement(total!.Value, validQuantities) : null;
    }

    /// <summary>A period <c>yyyy-MM</c> whose month has ended at <paramref name="now"/>.</summary>
    public static BillingPeriod? Period(FieldErrors errors, string field, string? period, DateTimeOffset now)
    {
        if (!BillingPeriod.TryParse(period, out var parsed))
        {
            errors.Add(field, BillingPeriod.Rule);
            return null;
        }

        if (!parsed.IsClosedAt(now))
        {
            errors.Add(field, $"{parsed} has not ended yet: statements are for closed months (UTC).");
            return null;
        }

        return parsed;
    }

    /// <summary>The items of a one-time invoice: catalogue products (quantity only) or custom items.</summary>
    public static IReadOnlyList<OneTimeItem>? OneTimeItems(FieldErrors errors, IReadOnlyList<ItemInput?>? items)
    {
        if (items is null || items.Count == 0)
        {
            errors.Add("items", "At least one item.");
            return null;
        }

        if (items.Count > Limits.MaxOneTimeItems)
        {
            errors.Add("items", $"At most {Limits.MaxOneTimeItems} items.");
            return null;
        }

        var valid = new List<OneTimeItem>(items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            var field = $"items[{i}]";
            var item = items[i];
            if (item?.ProductCode is { } code)
            {
                if (!ProductCatalog.IsKnown(code))
                {
                    errors.Add($"{field}.productCode", ProductCatalog.UnknownCodeMessage);
                }
                else if (item.UnitPrice is not null || item.TaxCategory is not null)
                {
                    errors.Add(field, "A product item takes the profile's price and the product's tax category: give productCode and quantity only.");
                }
                else if (errors.Amount($"{field}.quantity", item.Quantity, Limits.QuantityDecimals, Limits.MaxQuantity, allowZero: false) is { } quantity)
                {
                    var description = errors.OptionalText($"{field}.description", item.Description, Limits.DescriptionLength);
                    valid.Add(new OneTimeItem(code, description, quantity, null, null));
                }
            }
            else if (CustomItem(errors, field, item) is { } custom)
            {
                valid.Add(custom);
            }
        }

        return errors.IsEmpty ? valid : null;
    }

    private static OneTimeItem? CustomItem(FieldErrors errors, string field, ItemInput? item)
    {
        if (item is null)
        {
            errors.Add(field, "Required.");
            return null;
        }

        var description = errors.RequiredText($"{field}.description", item.Description, Limits.DescriptionLength);
        var quantity = errors.Amount($"{field}.quantity", item.Quantity, Limits.QuantityDecimals, Limits.MaxQuantity, allowZero: false);
        var unitPrice = errors.Amount($"{field}.unitPrice", item.UnitPrice, Limits.PriceDecimals, Limits.MaxUnitPrice);
        TaxCategory? category = null;
        if (TaxCategories.TryParse(item.TaxCategory, out var parsed))
        {
            category = parsed;
        }
        else
        {
            errors.Add($"{field}.taxCategory", TaxCategories.UnknownCodeMessage);
        }

        return description is null || quantity is null || unitPrice is null || category is null
            ? null
            : new OneTimeItem(null, description, quantity.Value, unitPrice, category);
    }
}
