using TenantBilling.Grains.Domain.Taxes;

namespace TenantBilling.Grains.Integrations.Taxes;

/// <summary>Loads the rate table: the one embedded in the product, or an operator's replacement file.</summary>
public static class TaxRateTableLoader
{
    /// <summary>Manifest name of the embedded table (src/Grains/Data/us-telecom-tax-rates.csv).</summary>
    public const string EmbeddedResourceName = "TenantBilling.Grains.Data.us-telecom-tax-rates.csv";

    /// <exception cref="TaxTableFormatException">The table is malformed.</exception>
    /// <exception cref="FileNotFoundException">The configured file does not exist.</exception>
    public static TaxRateTable Load(TaxTableOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return string.IsNullOrWhiteSpace(options.TablePath) ? LoadEmbedded() : LoadFile(options.TablePath);
    }

    public static TaxRateTable LoadEmbedded()
    {
        using var stream = typeof(TaxRateTableLoader).Assembly.GetManifestResourceStream(EmbeddedResourceName)
            ?? throw new InvalidOperationException($"The embedded tax rate table '{EmbeddedResourceName}' is missing from the build.");
        using var reader = new StreamReader(stream);
        return TaxRateTableParser.Parse(reader.ReadToEnd(), EmbeddedResourceName);
    }

    public static TaxRateTable LoadFile(string path)
    {
        var fullPath = Path.GetFullPath(path);
        return TaxRateTableParser.Parse(File.ReadAllText(fullPath), fullPath);
    }
}
