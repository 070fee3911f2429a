namespace TenantBilling.Grains.Integrations.Taxes;

/// <summary>A rate table that cannot be used, with the place at fault.</summary>
public sealed class TaxTableFormatException : Exception
{
    public TaxTableFormatException(string source, int line, int column, string columnName, string problem)
        : base($"Tax rate table '{source}' line {line}, column {column} ({columnName}): {problem}")
    {
        TableSource = source;
        Line = line;
        Column = column;
        ColumnName = columnName;
        Problem = problem;
    }

    /// <summary>The embedded resource name or the file path.</summary>
    public string TableSource { get; }

    /// <summary>1-based line of the file (the header is line 1).</summary>
    public int Line { get; }

    /// <summary>1-based column (field) number.</summary>
    public int Column { get; }

    /// <summary>The header name of the column.</summary>
    public string ColumnName { get; }

    /// <summary>What is wrong, without the place.</summary>
    public string Problem { get; }
}
