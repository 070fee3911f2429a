using System.Text;
using TenantBilling.Grains.Domain.Addresses;

namespace TenantBilling.Domain.Tests.Addresses;

/// <summary>The embedded ZIP data, loaded once for all tests (the directory is immutable).</summary>
internal static class EmbeddedZips
{
    private static readonly Lazy<ZipDirectory> LazyDirectory = new(ZipDirectory.LoadEmbedded);

    public static ZipDirectory Directory => LazyDirectory.Value;

    /// <summary>The raw CSV rows (header excluded), split by the test itself rather than by the product.</summary>
    public static IReadOnlyList<string[]> ReadRows()
    {
        using var stream = typeof(ZipDirectory).Assembly.GetManifestResourceStream(ZipDirectory.EmbeddedResourceName)!;
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(ZipDirectory.Header, lines[0]);
        return lines.Skip(1).Select(line => line.Split(',')).ToList();
    }
}
