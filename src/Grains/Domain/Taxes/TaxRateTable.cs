namespace TenantBilling.Grains.Domain.Taxes;

/// <summary>
/// An effective-dated rate table, indexed by jurisdiction and tax code, each list sorted by
/// effective date, so finding the row in force is a dictionary hit and a short backwards scan.
/// </summary>
public sealed class TaxRateTable
{
    private readonly Dictionary<string, TaxRateRow[][]> index;

    /// <param name="rows">Validated rows; at most one per tax code, jurisdiction and effective date.</param>
    /// <param name="source">Where the table came from, e.g. the embedded resource name or a file path.</param>
    public TaxRateTable(IReadOnlyList<TaxRateRow> rows, string source)
    {
        Rows = rows.ToArray();
        Source = source;
        index = new Dictionary<string, TaxRateRow[][]>(StringComparer.OrdinalIgnoreCase);
        foreach (var group in rows.Where(r => r.EffectiveFrom is not null).GroupBy(r => r.JurisdictionCode, StringComparer.OrdinalIgnoreCase))
        {
            var byCode = new TaxRateRow[TaxTableCodes.Count][];
            for (var code = 0; code < byCode.Length; code++)
            {
                byCode[code] = group.Where(r => (int)r.Code == code).OrderBy(r => r.EffectiveFrom).ToArray();
                for (var i = 1; i < byCode[code].Length; i++)
                {
                    if (byCode[code][i].EffectiveFrom == byCode[code][i - 1].EffectiveFrom)
                    {
                        throw new ArgumentException(
                            $"Lines {byCode[code][i - 1].SourceLine} and {byCode[code][i].SourceLine} both set {byCode[code][i].CodeText} for {group.Key} from {byCode[code][i].EffectiveFrom:yyyy-MM-dd}.",
                            nameof(rows));
                    }
                }
            }

            index[group.Key] = byCode;
        }
    }

    /// <summary>Every row, in table order, including undated reference rows.</summary>
    public IReadOnlyList<TaxRateRow> Rows { get; }

    public string Source { get; }

    /// <summary>The row in force on <paramref name="date"/>: the latest whose effective date is on or before it.</summary>
    public TaxRateRow? Find(TaxTableCode code, string jurisdictionCode, DateOnly date)
    {
        if (!index.TryGetValue(jurisdictionCode, out var byCode))
        {
            return null;
        }

        var rows = byCode[(int)code];
        for (var i = rows.Length - 1; i >= 0; i--)
        {
            if (rows[i].EffectiveFrom <= date)
            {
                return rows[i];
            }
        }

        return null;
    }
}
