using System.Globalization;
using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>
/// Stripe's rules for taxes on invoice lines: <c>tax_amounts</c> (amounts computed elsewhere, at most 20 a
/// line, each with <c>tax_rate_data</c> that Stripe turns into an archived, deduplicated tax rate) or
/// <c>tax_rates</c> (Stripe computes the amount), never both kinds on one invoice, and no tax amounts on an
/// invoice with <c>default_tax_rates</c> or automatic tax. Discounts apply to discountable lines before tax.
/// </summary>
internal static class LineTaxes
{
    public const int MaxTaxAmountsPerLine = 20;

    private static readonly string[] JurisdictionLevels = ["city", "country", "county", "district", "multiple", "state"];

    private static readonly string[] TaxTypes =
    [
        "admissions_tax", "amusement_tax", "attendance_tax", "communications_tax", "digital_excise_tax", "entertainment_tax", "get_fund",
        "gross_receipts_tax", "gst", "hospitality_tax", "hst", "igst", "jct", "lease_tax", "luxury_tax", "mass_transit_parking_tax", "nhil",
        "parking_tax", "pst", "qst", "resort_tax", "retail_delivery_fee", "rst", "sales_tax", "service_tax", "tourism_tax", "utility_users_tax", "vat",
    ];

    private static readonly string[] TaxabilityReasons =
    [
        "customer_exempt", "not_collecting", "not_subject_to_tax", "not_supported", "portion_product_exempt", "portion_reduced_rated",
        "portion_standard_rated", "product_exempt", "product_exempt_holiday", "proportionally_rated", "reduced_rated", "reverse_charge",
        "standard_rated", "taxable_basis_reduced", "zero_rated",
    ];

    /// <summary>The line's <c>tax_amounts</c>, each resolved to a (new or reused) archived tax rate.</summary>
    public static List<LineTax> ParseTaxAmounts(ApiContext ctx, FormParams line)
    {
        var list = line.List("tax_amounts");
        if (list.Count > MaxTaxAmountsPerLine)
        {
            throw StripeApiException.InvalidRequest(
                $"Invalid array: {line.Name("tax_amounts")} must have at most {MaxTaxAmountsPerLine} items (got {list.Count}).", line.Name("tax_amounts"));
        }

        var taxes = new List<LineTax>(list.Count);
        foreach (var item in list)
        {
            item.EnsureOnly("amount", "taxable_amount", "tax_rate_data", "taxability_reason");
            var amount = item.Long("amount") ?? throw StripeApiException.MissingParam(item.Name("amount"));
            var taxable = item.Long("taxable_amount") ?? throw StripeApiException.MissingParam(item.Name("taxable_amount"));
            var reason = item.NonEmpty("taxability_reason");
            if (reason is not null && Array.IndexOf(TaxabilityReasons, reason) < 0)
            {
                throw StripeApiException.InvalidRequest($"Invalid taxability_reason: {reason}", item.Name("taxability_reason"));
            }

            var data = item.Object("tax_rate_data") ?? throw StripeApiException.MissingParam(item.Name("tax_rate_data"));
            var rate = ArchivedRate(ctx, data);
            taxes.Add(new LineTax(amount, taxable, rate.Id, rate.Inclusive, reason));
        }

        return taxes;
    }

    /// <summary>The line's <c>tax_rates</c>: ids of tax rates the account has.</summary>
    public static List<string> ParseTaxRates(ApiContext ctx, FormParams line)
    {
        var ids = line.StringList("tax_rates").ToList();
        foreach (var id in ids)
        {
            if (!ctx.Account.TaxRates.TryGetValue(id, out var rate) || !rate.Active)
            {
                throw StripeApiException.NoSuch("tax_rate", id, line.Name("tax_rates"));
            }
        }

        return ids;
    }

    /// <summary>Refuses an invoice that would mix tax amounts with tax rates or automatic tax.</summary>
    public static void EnsureNotMixed(InvoiceRecord invoice, IReadOnlyList<InvoiceItemRecord> incoming)
    {
        var all = invoice.Lines.Concat(incoming).ToList();
        var amounts = all.Any(l => l.TaxAmounts.Count > 0);
        var rates = all.Any(l => l.TaxRateIds.Count > 0) || invoice.DefaultTaxRateIds.Count > 0 || invoice.AutomaticTax;
        if (amounts && rates)
        {
            throw StripeApiException.InvalidRequest(
                "You cannot set tax amounts if any line item has tax_rates or if the invoice has default_tax_rates or uses automatic tax.", "lines");
        }
    }

    /// <summary>Sets a line's discount and taxes as it joins the invoice.</summary>
    public static void Compute(AccountState account, InvoiceRecord invoice, InvoiceItemRecord line)
    {
        line.DiscountAmount = line.Discountable && invoice.Discount is { } discount && line.Amount > 0
            ? (long)Math.Round(line.Amount * discount.PercentOff / 100m, 0, MidpointRounding.AwayFromZero)
            : 0;
        if (line.TaxAmounts.Count > 0)
        {
            line.Taxes = line.TaxAmounts;
            return;
        }

        var basis = line.Amount - line.DiscountAmount;
        line.Taxes = (line.TaxRateIds.Count > 0 ? line.TaxRateIds : invoice.DefaultTaxRateIds)
            .Select(id => account.TaxRates[id])
            .Select(rate => new LineTax(
                (long)Math.Round(rate.Inclusive ? basis * rate.Percentage / (100m + rate.Percentage) : basis * rate.Percentage / 100m, 0, MidpointRounding.AwayFromZero),
                rate.Inclusive ? basis - (long)Math.Round(basis * rate.Percentage / (100m + rate.Percentage), 0, MidpointRounding.AwayFromZero) : basis,
                rate.Id,
                rate.Inclusive,
                null))
            .ToList();
    }

    /// <summary>Validates tax rate fields (shared by <c>POST /v1/tax_rates</c> and <c>tax_rate_data</c>).</summary>
    public static TaxRateRecord ReadRate(ApiContext ctx, FormParams data, bool active)
    {
        var displayName = data.Required("display_name");
        if (displayName.Length > 50)
        {
            throw StripeApiException.InvalidRequest("Invalid display_name: must be at most 50 characters.", data.Name("display_name"));
        }

        var inclusive = data.Bool("inclusive") ?? throw StripeApiException.MissingParam(data.Name("inclusive"));
        var percentage = data.Decimal("percentage") ?? throw StripeApiException.MissingParam(data.Name("percentage"));
        if (percentage is < 0 or > 100 || decimal.Round(percentage, 4) != percentage)
        {
            throw StripeApiException.InvalidRequest(
                $"Invalid percentage: {percentage.ToString(CultureInfo.InvariantCulture)} (between 0 and 100, at most 4 decimal places).", data.Name("percentage"));
        }

        var level = data.NonEmpty("jurisdiction_level");
        if (level is not null && Array.IndexOf(JurisdictionLevels, level) < 0)
        {
            throw StripeApiException.InvalidRequest($"Invalid jurisdiction_level: must be one of {string.Join(", ", JurisdictionLevels)}", data.Name("jurisdiction_level"));
        }

        var type = data.NonEmpty("tax_type");
        if (type is not null && Array.IndexOf(TaxTypes, type) < 0)
        {
            throw StripeApiException.InvalidRequest($"Invalid tax_type: {type}", data.Name("tax_type"));
        }

        var jurisdiction = data.NonEmpty("jurisdiction");
        if (jurisdiction is { Length: > 50 })
        {
            throw StripeApiException.InvalidRequest("Invalid jurisdiction: must be at most 50 characters.", data.Name("jurisdiction"));
        }

        return new TaxRateRecord(
            Ids.New("txr"), ctx.Now, displayName, percentage, inclusive, jurisdiction, level,
            data.NonEmpty("country"), data.NonEmpty("state"), type, data.NonEmpty("description"), active);
    }

    /// <summary>Stripe reuses an archived tax rate whose data match exactly, else archives a new one.</summary>
    private static TaxRateRecord ArchivedRate(ApiContext ctx, FormParams data)
    {
        data.EnsureOnly("country", "description", "display_name", "inclusive", "jurisdiction", "jurisdiction_level", "percentage", "state", "tax_type");
        var fresh = ReadRate(ctx, data, active: false);
        var existing = ctx.Account.TaxRates.Values.FirstOrDefault(r => !r.Active && r with { Id = fresh.Id, Created = fresh.Created } == fresh);
        if (existing is not null)
        {
            return existing;
        }

        ctx.Account.TaxRates.Add(fresh.Id, fresh);
        return fresh;
    }
}
