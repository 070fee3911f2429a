using System.Globalization;
using System.Text;
using TenantBilling.Grains.Domain.Taxes;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Grains.Integrations.Taxes;

/// <summary>
/// Reads a rate table in the CSV layout of us-telecom-tax-rates.csv (RFC 4180: comma separated,
/// double-quoted fields may hold commas, quotes doubled, line breaks). Every problem is reported with
/// its line and column, because an operator fixing a replacement table needs to find it.
/// </summary>
public static class TaxRateTableParser
{
    /// <summary>The header, in order.</summary>
    public static readonly IReadOnlyList<string> Columns =
    [
        "jurisdiction_level", "jurisdiction_code", "tax_code", "name", "basis", "rate",
        "amount_per_unit", "unit", "applies_to", "effective_from", "source_url",
    ];

    /// <summary>The only unit a per-line fee may be stated in.</summary>
    public const string PerLineUnit = "USD/line/month";

    private const int LevelColumn = 0;
    private const int JurisdictionColumn = 1;
    private const int CodeColumn = 2;
    private const int NameColumn = 3;
    private const int BasisColumn = 4;
    private const int RateColumn = 5;
    private const int AmountColumn = 6;
    private const int UnitColumn = 7;
    private const int AppliesToColumn = 8;
    private const int EffectiveColumn = 9;
    private const int SourceColumn = 10;

    /// <exception cref="TaxTableFormatException">The text is not a valid table.</exception>
    public static TaxRateTable Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(source);

        var reader = new CsvReader(text, source);
        var fields = new List<CsvField>(Columns.Count);
        if (!reader.TryRead(fields) || IsBlank(fields))
        {
            throw new TaxTableFormatException(source, 1, 1, Columns[0], $"the table is empty; the first line must be the header: {string.Join(',', Columns)}");
        }

        CheckHeader(fields, source);

        var rows = new List<TaxRateRow>();
        var seen = new Dictionary<(TaxTableCode, string, DateOnly), int>();
        while (reader.TryRead(fields))
        {
            if (IsBlank(fields))
            {
                continue;
            }

            var row = new RowReader(fields, source).Read();
            if (row.EffectiveFrom is { } from && !seen.TryAdd((row.Code, row.JurisdictionCode, from), row.SourceLine))
            {
                throw new RowReader(fields, source).Fail(
                    EffectiveColumn,
                    $"{row.CodeText} for {row.JurisdictionCode} from {from:yyyy-MM-dd} is already set on line {seen[(row.Code, row.JurisdictionCode, from)]}");
            }

            rows.Add(row);
        }

        CheckWholeTable(rows, source);
        return new TaxRateTable(rows, source);
    }

    private static bool IsBlank(List<CsvField> fields) => fields.Count == 1 && fields[0].Value.Length == 0 && !fields[0].Quoted;

    private static void CheckHeader(List<CsvField> fields, string source)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (i >= fields.Count)
            {
                throw new TaxTableFormatException(source, 1, i + 1, Columns[i], $"the header is missing column '{Columns[i]}'");
            }

            if (!string.Equals(fields[i].Value, Columns[i], StringComparison.Ordinal))
            {
                throw new TaxTableFormatException(source, fields[i].Line, i + 1, Columns[i], $"the header has '{fields[i].Value}' where '{Columns[i]}' is expected");
            }
        }

        if (fields.Count > Columns.Count)
        {
            throw new TaxTableFormatException(source, fields[Columns.Count].Line, Columns.Count + 1, "(none)", $"the header has an extra column '{fields[Columns.Count].Value}'");
        }
    }

    // Shares are needed whenever USF or a 911 percentage of intrastate charges is charged; once a safe
    // harbour is in force it stays in force, so checking the earliest such row covers all of them.
    private static void CheckWholeTable(List<TaxRateRow> rows, string source)
    {
        var needsShare = rows
            .Where(r => r.EffectiveFrom is not null
                && (r.Code == TaxTableCode.Fusf || r.BasisKind == TaxRowBasis.PercentOfIntrastateCharges))
            .MinBy(r => r.EffectiveFrom);
        if (needsShare is not null
            && !rows.Any(r => r.Code == TaxTableCode.FusfVoipSafeHarbor && r.EffectiveFrom <= needsShare.EffectiveFrom))
        {
            throw new TaxTableFormatException(
                source, needsShare.SourceLine, EffectiveColumn + 1, Columns[EffectiveColumn],
                $"{needsShare.CodeText} from {needsShare.EffectiveFrom:yyyy-MM-dd} needs the interstate share, but no {TaxTableCodes.ToCode(TaxTableCode.FusfVoipSafeHarbor)} row is in force by then");
        }

        foreach (var taxable in rows.Where(r => r.SalesTaxable == true))
        {
            if (!rows.Any(r => r.Code == TaxTableCode.StateSales && string.Equals(r.JurisdictionCode, taxable.JurisdictionCode, StringComparison.Ordinal)))
            {
                throw new TaxTableFormatException(
                    source, taxable.SourceLine, JurisdictionColumn + 1, Columns[JurisdictionColumn],
                    $"VoIP is found taxable in {taxable.JurisdictionCode} but the table has no {TaxTableCodes.ToCode(TaxTableCode.StateSales)} row for {taxable.JurisdictionCode}");
            }
        }
    }

    private readonly struct RowReader(List<CsvField> fields, string source)
    {
        public TaxRateRow Read()
        {
            if (fields.Count < Columns.Count)
            {
                throw new TaxTableFormatException(
                    source, fields[^1].Line, fields.Count + 1, Columns[fields.Count],
                    $"the row has {fields.Count} fields; the header has {Columns.Count}");
            }

            if (fields.Count > Columns.Count)
            {
                throw new TaxTableFormatException(
                    source, fields[Columns.Count].Line, Columns.Count + 1, "(none)",
                    $"the row has {fields.Count} fields; the header has {Columns.Count} (a name with a comma must be in double quotes)");
            }

            var code = ReadCode();
            var level = ReadLevel(code);
            var jurisdiction = ReadJurisdiction(level);
            var name = Required(NameColumn);
            var basis = Required(BasisColumn);
            var basisKind = ReadBasis(code, basis);
            var rate = ReadRate(basisKind);
            var amount = ReadAmount(basisKind);
            ReadUnit(basisKind);
            var appliesTo = fields[AppliesToColumn].Value;
            var salesTaxable = basisKind == TaxRowBasis.TaxabilityFlag ? ReadSalesTaxable(appliesTo) : (bool?)null;
            var effectiveFrom = ReadEffectiveFrom(code);
            var sourceUrl = Required(SourceColumn);

            return new TaxRateRow(
                fields[0].Line, level, jurisdiction, code, name, basis, basisKind, rate, amount,
                appliesTo, salesTaxable, effectiveFrom, sourceUrl);
        }

        public TaxTableFormatException Fail(int column, string problem) =>
            new(source, fields[column].Line, column + 1, Columns[column], problem);

        private string Required(int column) =>
            fields[column].Value.Trim().Length == 0 ? throw Fail(column, "is empty") : fields[column].Value;

        private TaxTableCode ReadCode()
        {
            var text = fields[CodeColumn].Value;
            return TaxTableCodes.TryParse(text, out var code)
                ? code
                : throw Fail(CodeColumn, $"unknown tax code '{text}'; known codes: {string.Join(", ", TaxTableCodes.All)}");
        }

        private TaxLevel ReadLevel(TaxTableCode code)
        {
            var text = fields[LevelColumn].Value;
            var level = text switch
            {
                "federal" => TaxLevel.Federal,
                "state" => TaxLevel.State,
                "county" or "local" => throw Fail(LevelColumn, $"level '{text}' is not supported: the built-in provider rates federal and state rows only"),
                _ => throw Fail(LevelColumn, $"unknown level '{text}'; use 'federal' or 'state'"),
            };
            var expected = TaxTableCodes.LevelOf(code);
            return level == expected
                ? level
                : throw Fail(LevelColumn, $"{TaxTableCodes.ToCode(code)} is a {expected.ToString().ToLowerInvariant()} tax, not {text}");
        }

        private string ReadJurisdiction(TaxLevel level)
        {
            var text = fields[JurisdictionColumn].Value;
            if (level == TaxLevel.Federal)
            {
                return text == "US" ? text : throw Fail(JurisdictionColumn, $"a federal row's jurisdiction must be 'US', not '{text}'");
            }

            return text is [>= 'A' and <= 'Z', >= 'A' and <= 'Z'] && text != "US"
                ? text
                : throw Fail(JurisdictionColumn, $"'{text}' is not a USPS state code (two capital letters)");
        }

        private TaxRowBasis ReadBasis(TaxTableCode code, string basis)
        {
            TaxRowBasis kind;
            if (basis == "flat_per_line_per_month")
            {
                kind = TaxRowBasis.PerLinePerMonth;
            }
            else if (basis == "percent_of_intrastate_charges")
            {
                kind = TaxRowBasis.PercentOfIntrastateCharges;
            }
            else if (basis == "taxability_flag")
            {
                kind = TaxRowBasis.TaxabilityFlag;
            }
            else if (basis.StartsWith("percent_of_", StringComparison.Ordinal) || basis.StartsWith("share_of_", StringComparison.Ordinal))
            {
                kind = TaxRowBasis.Percent;
            }
            else
            {
                throw Fail(BasisColumn, $"basis '{basis}' is not understood; use flat_per_line_per_month, percent_of_intrastate_charges, taxability_flag, or a percent_of_… / share_of_… basis");
            }

            var allowed = code switch
            {
                TaxTableCode.E911Voip => kind is TaxRowBasis.PerLinePerMonth or TaxRowBasis.PercentOfIntrastateCharges,
                TaxTableCode.StateVoipTaxability => kind is TaxRowBasis.TaxabilityFlag,
                _ => kind is TaxRowBasis.Percent,
            };
            return allowed ? kind : throw Fail(BasisColumn, $"basis '{basis}' does not fit {TaxTableCodes.ToCode(code)}");
        }

        private decimal? ReadRate(TaxRowBasis kind)
        {
            var text = fields[RateColumn].Value;
            var needed = kind is TaxRowBasis.Percent or TaxRowBasis.PercentOfIntrastateCharges;
            if (text.Length == 0)
            {
                return needed ? throw Fail(RateColumn, "a percentage row needs a rate (a decimal fraction: 0.376 = 37.6%)") : null;
            }

            if (!needed)
            {
                throw Fail(RateColumn, "must be empty for a per-line or taxability row");
            }

            return TryDecimal(text, out var rate) && rate <= 1m
                ? rate
                : throw Fail(RateColumn, $"'{text}' is not a decimal fraction between 0 and 1 (0.376 = 37.6%)");
        }

        private decimal? ReadAmount(TaxRowBasis kind)
        {
            var text = fields[AmountColumn].Value;
            var needed = kind == TaxRowBasis.PerLinePerMonth;
            if (text.Length == 0)
            {
                return needed ? throw Fail(AmountColumn, "a per-line row needs an amount in USD") : null;
            }

            if (!needed)
            {
                throw Fail(AmountColumn, "must be empty unless the basis is flat_per_line_per_month");
            }

            return TryDecimal(text, out var amount)
                ? amount
                : throw Fail(AmountColumn, $"'{text}' is not an amount in USD (e.g. 0.95)");
        }

        private void ReadUnit(TaxRowBasis kind)
        {
            var text = fields[UnitColumn].Value;
            if (kind == TaxRowBasis.PerLinePerMonth ? text != PerLineUnit : text.Length != 0)
            {
                throw Fail(UnitColumn, kind == TaxRowBasis.PerLinePerMonth
                    ? $"a per-line row's unit must be '{PerLineUnit}', not '{text}'"
                    : "must be empty unless the basis is flat_per_line_per_month");
            }
        }

        // The finding is written as "sales_tax=yes" or "sales_tax=no" among other ';'-separated notes.
        private bool ReadSalesTaxable(string appliesTo)
        {
            const string key = "sales_tax=";
            bool? found = null;
            var at = appliesTo.IndexOf(key, StringComparison.Ordinal);
            while (at >= 0)
            {
                var standsAlone = at == 0 || !(char.IsLetterOrDigit(appliesTo[at - 1]) || appliesTo[at - 1] == '_');
                if (standsAlone)
                {
                    var end = appliesTo.IndexOf(';', at);
                    var value = appliesTo[(at + key.Length)..(end < 0 ? appliesTo.Length : end)].Trim();
                    bool finding = value switch
                    {
                        "yes" => true,
                        "no" => false,
                        _ => throw Fail(AppliesToColumn, $"sales_tax must be 'yes' or 'no', not '{value}'"),
                    };
                    if (found is not null)
                    {
                        throw Fail(AppliesToColumn, "states sales_tax more than once");
                    }

                    found = finding;
                }

                at = appliesTo.IndexOf(key, at + key.Length, StringComparison.Ordinal);
            }

            return found ?? throw Fail(AppliesToColumn, "a taxability row must say sales_tax=yes or sales_tax=no");
        }

        private DateOnly? ReadEffectiveFrom(TaxTableCode code)
        {
            var text = fields[EffectiveColumn].Value;
            if (text.Length == 0)
            {
                // An undated reference row is kept for its source but can never be in force.
                var usedForRating = TaxTableCodes.IsCharged(code) || code is TaxTableCode.FusfVoipSafeHarbor or TaxTableCode.StateVoipTaxability;
                return usedForRating ? throw Fail(EffectiveColumn, $"{TaxTableCodes.ToCode(code)} rows need a date (yyyy-MM-dd)") : null;
            }

            return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
                ? date
                : throw Fail(EffectiveColumn, $"'{text}' is not a date (yyyy-MM-dd)");
        }

        private static bool TryDecimal(string text, out decimal value) =>
            decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value);
    }

    private readonly record struct CsvField(string Value, int Line, bool Quoted);

    private sealed class CsvReader(string text, string source)
    {
        private int position = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        private int line = 1;
        private readonly StringBuilder buffer = new();

        public bool TryRead(List<CsvField> fields)
        {
            fields.Clear();
            if (position >= text.Length)
            {
                return false;
            }

            while (true)
            {
                fields.Add(text[position] == '"' ? ReadQuoted(fields.Count + 1) : ReadPlain(fields.Count + 1));
                if (position >= text.Length)
                {
                    return true;
                }

                var separator = text[position++];
                if (separator == ',')
                {
                    if (position >= text.Length)
                    {
                        fields.Add(new CsvField(string.Empty, line, false));
                        return true;
                    }

                    continue;
                }

                if (separator == '\r' && position < text.Length && text[position] == '\n')
                {
                    position++;
                }

                line++;
                return true;
            }
        }

        private CsvField ReadPlain(int column)
        {
            var start = position;
            while (position < text.Length && text[position] is not (',' or '\r' or '\n'))
            {
                if (text[position] == '"')
                {
                    throw new TaxTableFormatException(source, line, column, ColumnName(column), "a double quote inside a field that does not start with one; quote the whole field and double the inner quotes");
                }

                position++;
            }

            return new CsvField(text[start..position], line, false);
        }

        private CsvField ReadQuoted(int column)
        {
            var startLine = line;
            buffer.Clear();
            position++;
            while (true)
            {
                if (position >= text.Length)
                {
                    throw new TaxTableFormatException(source, startLine, column, ColumnName(column), "a quoted field is never closed");
                }

                var c = text[position++];
                if (c == '"')
                {
                    if (position < text.Length && text[position] == '"')
                    {
                        buffer.Append('"');
                        position++;
                        continue;
                    }

                    break;
                }

                if (c == '\n')
                {
                    line++;
                }

                buffer.Append(c);
            }

            if (position < text.Length && text[position] is not (',' or '\r' or '\n'))
            {
                throw new TaxTableFormatException(source, line, column, ColumnName(column), "text after the closing quote of a quoted field");
            }

            return new CsvField(buffer.ToString(), startLine, true);
        }

        private static string ColumnName(int column) => column <= Columns.Count ? Columns[column - 1] : "(none)";
    }
}
