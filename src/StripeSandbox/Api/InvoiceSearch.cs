using System.Globalization;
using System.Text;
using TenantBilling.StripeSandbox.Http;
using TenantBilling.StripeSandbox.Json;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Api;

/// <summary>
/// <c>GET /v1/invoices/search</c> with the subset of Stripe's search language that finds invoices again:
/// clauses <c>field:'value'</c> (or <c>-field:'value'</c> to negate) on <c>metadata['key']</c>,
/// <c>customer</c>, <c>status</c>, <c>number</c>, <c>currency</c>, <c>collection_method</c>, <c>total</c>,
/// joined by <c>AND</c> or by <c>OR</c> (not both). Newest first; <c>page</c> is an opaque cursor.
/// </summary>
internal static class InvoiceSearch
{
    private static readonly string[] Fields = ["customer", "status", "number", "currency", "collection_method", "total"];

    public static byte[] Search(ApiContext ctx)
    {
        var form = ctx.Form;
        form.EnsureOnly("query", "limit", "page", "expand");
        var expand = Expansions.From(form, isList: true, "customer", "default_payment_method");
        var query = Parse(form.Required("query"));
        var limit = Pagination.Limit(form);
        var offset = form.NonEmpty("page") is { } page ? DecodePage(page) : 0;
        var matches = ctx.Account.Invoices.Values
            .Where(i => i.SearchableAt <= ctx.Now && query.Matches(i))
            .OrderByDescending(i => i.Sequence)
            .ToList();
        var slice = matches.Skip(offset).Take(limit).ToList();
        var hasMore = matches.Count > offset + limit;
        return StripeJson.Write(w => StripeJson.Page(
            w, "/v1/invoices/search", slice, hasMore, (jw, i) => StripeJson.Invoice(jw, ctx.Account, i, expand),
            search: true, nextPage: hasMore ? EncodePage(offset + limit) : null));
    }

    private static Query Parse(string text)
    {
        var clauses = new List<Clause>();
        string? joiner = null;
        var pos = 0;
        while (true)
        {
            SkipSpaces(text, ref pos);
            clauses.Add(ParseClause(text, ref pos));
            SkipSpaces(text, ref pos);
            if (pos >= text.Length)
            {
                break;
            }

            var word = ReadWord(text, ref pos);
            if (word is not ("AND" or "OR"))
            {
                throw Invalid(text, $"expected AND or OR at position {pos}");
            }

            if (joiner is not null && joiner != word)
            {
                throw Invalid(text, "a query cannot mix AND and OR");
            }

            joiner = word;
        }

        return new Query(clauses, joiner == "OR");
    }

    private static Clause ParseClause(string text, ref int pos)
    {
        var negate = pos < text.Length && text[pos] == '-';
        if (negate)
        {
            pos++;
        }

        string field;
        string? metadataKey = null;
        if (string.CompareOrdinal(text, pos, "metadata[", 0, 9) == 0)
        {
            pos += 9;
            metadataKey = ReadQuoted(text, ref pos);
            Expect(text, ref pos, ']');
            field = "metadata";
        }
        else
        {
            field = ReadWord(text, ref pos);
            if (Array.IndexOf(Fields, field) < 0)
            {
                throw StripeApiException.InvalidRequest($"Field `{field}` is an unsupported search field for resource `invoices`.", "query");
            }
        }

        Expect(text, ref pos, ':');
        var value = pos < text.Length && text[pos] is '\'' or '"' ? ReadQuoted(text, ref pos) : ReadWord(text, ref pos);
        return new Clause(field, metadataKey, value, negate);
    }

    private static string ReadQuoted(string text, ref int pos)
    {
        if (pos >= text.Length || text[pos] is not ('\'' or '"'))
        {
            throw Invalid(text, $"expected a quoted string at position {pos}");
        }

        var quote = text[pos++];
        var value = new StringBuilder();
        while (pos < text.Length && text[pos] != quote)
        {
            // Stripe escapes a quote inside a value with a backslash.
            if (text[pos] == '\\' && pos + 1 < text.Length)
            {
                pos++;
            }

            value.Append(text[pos++]);
        }

        Expect(text, ref pos, quote);
        return value.ToString();
    }

    private static string ReadWord(string text, ref int pos)
    {
        var start = pos;
        while (pos < text.Length && (char.IsLetterOrDigit(text[pos]) || text[pos] is '_' or '.' or '-'))
        {
            pos++;
        }

        return pos > start ? text[start..pos] : throw Invalid(text, $"unexpected character at position {pos}");
    }

    private static void Expect(string text, ref int pos, char c)
    {
        if (pos >= text.Length || text[pos] != c)
        {
            throw Invalid(text, $"expected '{c}' at position {pos}");
        }

        pos++;
    }

    private static void SkipSpaces(string text, ref int pos)
    {
        while (pos < text.Length && text[pos] == ' ')
        {
            pos++;
        }
    }

    private static StripeApiException Invalid(string query, string why) =>
        StripeApiException.InvalidRequest($"Invalid query: {why} (query: {query}).", "query");

    private static string EncodePage(int offset) =>
        "page_" + Convert.ToBase64String(Encoding.UTF8.GetBytes(offset.ToString(CultureInfo.InvariantCulture)));

    private static int DecodePage(string page)
    {
        try
        {
            return int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(page["page_".Length..])), CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is FormatException or ArgumentOutOfRangeException)
        {
            throw StripeApiException.InvalidRequest($"Invalid page: {page}", "page");
        }
    }

    private sealed record Query(IReadOnlyList<Clause> Clauses, bool Any)
    {
        public bool Matches(InvoiceRecord invoice) =>
            this.Any ? this.Clauses.Any(c => c.Matches(invoice)) : this.Clauses.All(c => c.Matches(invoice));
    }

    private sealed record Clause(string Field, string? MetadataKey, string Value, bool Negate)
    {
        public bool Matches(InvoiceRecord i)
        {
            var actual = this.Field switch
            {
                "metadata" => i.Metadata.GetValueOrDefault(this.MetadataKey!),
                "customer" => i.CustomerId,
                "status" => i.Status,
                "number" => i.Number,
                "currency" => i.Currency,
                "collection_method" => i.CollectionMethod,
                "total" => i.Total.ToString(CultureInfo.InvariantCulture),
                _ => null,
            };
            return string.Equals(actual, this.Value, StringComparison.Ordinal) != this.Negate;
        }
    }
}
