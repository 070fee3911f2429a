using System.Text;
using System.Text.RegularExpressions;
using TenantBilling.Api.Tests.Support;
using TenantBilling.Grains.Interfaces.Models;

namespace TenantBilling.Api.Tests;

/// <summary>Everything a reader needs is in the repository, and the docs agree with the code they describe.</summary>
public sealed partial class RepositoryDocsTests
{
    /// <summary>Written in two parts so that this file does not name what it looks for.</summary>
    private static readonly string[] OutsideReferences = [".." + "/shared", "/work" + "/shared"];

    [Fact]
    public void No_tracked_file_refers_to_a_folder_outside_the_repository()
    {
        var files = Repository.TrackedFiles();
        var offenders = new List<string>();
        foreach (var file in files)
        {
            var path = Path.Combine(Repository.Root, file);
            if (!File.Exists(path))
            {
                continue;
            }

            var bytes = File.ReadAllBytes(path);
            if (Array.IndexOf(bytes, (byte)0) >= 0)
            {
                continue;
            }

            var text = Encoding.UTF8.GetString(bytes);
            offenders.AddRange(OutsideReferences.Where(r => text.Contains(r, StringComparison.Ordinal)).Select(r => $"{file}: {r}"));
        }

        Assert.Contains("README.md", files);
        Assert.Contains("docs/api.md", files);
        Assert.Empty(offenders);
    }

    [Fact]
    public void The_readme_links_the_contract_and_the_product_rules_in_docs()
    {
        var readme = Repository.ReadText("README.md");

        Assert.Contains("(docs/api.md)", readme, StringComparison.Ordinal);
        Assert.Contains("(docs/domain.md)", readme, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Repository.Root, "docs", "domain.md")));
    }

    [Fact]
    public void The_product_code_table_of_the_contract_is_the_catalogue()
    {
        var rows = TableRows("| Product code |").Select(r => string.Join(" | ", r)).ToList();

        Assert.Equal(
            ProductCatalog.All.Select(p => $"`{p.Code}` | {p.Name} | {p.Unit} | `{TaxCategories.ToCode(p.TaxCategory)}`"),
            rows);
    }

    [Fact]
    public void The_tax_category_table_of_the_contract_lists_every_category()
    {
        var codes = TableRows("| Tax category |").Select(r => r[0].Trim('`')).ToList();

        Assert.Equal(TaxCategories.Codes.Order(StringComparer.Ordinal), codes.Order(StringComparer.Ordinal));
    }

    /// <summary>The cells of the rows of the docs/api.md table whose header starts with <paramref name="header"/>.</summary>
    private static IEnumerable<string[]> TableRows(string header)
    {
        var lines = Repository.ReadText("docs/api.md").Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var start = lines.FindIndex(l => l.StartsWith(header, StringComparison.Ordinal));
        Assert.True(start >= 0, $"docs/api.md has no table headed '{header}'.");
        return lines.Skip(start + 2)
            .TakeWhile(l => l.StartsWith('|'))
            .Select(l => Cells().Split(l.Trim().Trim('|')).Select(c => c.Trim()).ToArray());
    }

    [GeneratedRegex(@"\s\|\s")]
    private static partial Regex Cells();
}
