using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>
/// Turns the pricing parameters of an invoice item or an <c>add_lines</c> line into an item:
/// either a plain <c>amount</c> (quantity 1), or <c>price_data</c> (<c>unit_amount</c> or
/// <c>unit_amount_decimal</c>) times <c>quantity</c>, rounded to whole cents half away from zero.
/// </summary>
internal static class LineAmounts
{
    /// <summary>Stripe's largest amount in USD: $999,999.99.</summary>
    public const long MaxAmount = 99_999_999;

    public static InvoiceItemRecord Build(ApiContext ctx, FormParams form, string customerId, string currency, bool productDataAllowed, bool taxAmountsAllowed = false)
    {
        var amount = form.Long("amount");
        var priceData = form.Object("price_data");
        var quantity = form.Long("quantity") ?? 1;
        var topUnitDecimal = form.Decimal("unit_amount_decimal");
        if (quantity < 0)
        {
            throw StripeApiException.InvalidRequest("Invalid quantity: must be at least 0", "quantity");
        }

        long total;
        decimal unit;
        string? productId = null;
        string? priceId = null;
        if (amount is { } a)
        {
            if (priceData is not null || topUnitDecimal is not null || form.Has("pricing"))
            {
                throw StripeApiException.InvalidRequest("You may only specify one of these parameters: amount, price_data, pricing, unit_amount_decimal.", "amount");
            }

            if (form.Has("quantity") && quantity != 1)
            {
                throw StripeApiException.InvalidRequest("When passing amount, quantity must be 1 or omitted.", "quantity");
            }

            CheckCurrency(form.NonEmpty("currency"), currency, "currency");
            total = a;
            unit = a;
            quantity = 1;
        }
        else if (priceData is not null)
        {
            priceData.EnsureOnly(productDataAllowed
                ? ["currency", "product", "product_data", "tax_behavior", "unit_amount", "unit_amount_decimal"]
                : ["currency", "product", "tax_behavior", "unit_amount", "unit_amount_decimal"]);
            CheckCurrency(priceData.Required("currency"), currency, "price_data[currency]");
            unit = priceData.Long("unit_amount") ?? priceData.Decimal("unit_amount_decimal")
                ?? throw StripeApiException.MissingParam("price_data[unit_amount]");
            productId = priceData.NonEmpty("product");
            if (productId is null)
            {
                var productData = productDataAllowed ? priceData.Object("product_data") : null;
                if (productData?.NonEmpty("name") is null)
                {
                    throw StripeApiException.MissingParam(productDataAllowed ? "price_data[product_data][name]" : "price_data[product]");
                }

                productId = Ids.New("prod");
            }

            priceId = Ids.New("price");
            total = RoundCents(unit * quantity);
        }
        else if (topUnitDecimal is { } u)
        {
            CheckCurrency(form.NonEmpty("currency"), currency, "currency");
            unit = u;
            total = RoundCents(unit * quantity);
        }
        else
        {
            throw StripeApiException.MissingParam(form.Has("pricing") ? "price_data" : "amount");
        }

        if (Math.Abs(total) > MaxAmount)
        {
            throw StripeApiException.InvalidRequest("Amount must be no more than $999,999.99", form.Name("amount"), "amount_too_large");
        }

        var period = form.Object("period");
        return new InvoiceItemRecord
        {
            Id = Ids.New("ii"),
            LineId = Ids.New("il"),
            Created = ctx.Now,
            CustomerId = customerId,
            Amount = total,
            Currency = currency,
            Description = form.NonEmpty("description"),
            Quantity = quantity,
            UnitAmountDecimal = unit,
            PriceId = priceId,
            ProductId = productId,
            PeriodStart = period?.Long("start") is { } s ? DateTimeOffset.FromUnixTimeSeconds(s) : ctx.Now,
            PeriodEnd = period?.Long("end") is { } e ? DateTimeOffset.FromUnixTimeSeconds(e) : ctx.Now,
            Metadata = ReadMetadata(form),
            Discountable = form.Bool("discountable") ?? total >= 0,
            TaxRateIds = LineTaxes.ParseTaxRates(ctx, form),
            TaxAmounts = taxAmountsAllowed ? LineTaxes.ParseTaxAmounts(ctx, form) : [],
        };
    }

    private static Dictionary<string, string> ReadMetadata(FormParams form)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        MetadataUpdate.Apply(form, "metadata", metadata);
        return metadata;
    }

    private static long RoundCents(decimal value) => (long)Math.Round(value, 0, MidpointRounding.AwayFromZero);

    private static void CheckCurrency(string? given, string expected, string param)
    {
        if (given is not null && !string.Equals(given, expected, StringComparison.OrdinalIgnoreCase))
        {
            throw StripeApiException.InvalidRequest(
                $"The currency of this item ({given}) must match the currency of the invoice ({expected}).", param);
        }
    }
}
