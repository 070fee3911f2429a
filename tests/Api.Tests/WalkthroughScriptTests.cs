using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>
/// The README's walk-through, scripts/walkthrough.sh, run as a newcomer runs it: against src/Api's own build
/// output started in Development (test mode and the Stripe sandbox on by default, no setting given), from
/// an account to the sent invoice, whose number, total and sandbox page it must print.
/// </summary>
public sealed partial class WalkthroughScriptTests
{
    [Fact]
    public async Task The_walkthrough_ends_with_the_sent_invoice_s_number_total_and_sandbox_page()
    {
        await using var api = await ApiProcess.StartAsync();

        var (exitCode, output) = await ApiProcess.RunScriptAsync(
            "scripts/walkthrough.sh", new Dictionary<string, string> { ["API"] = api.BaseAddress.ToString().TrimEnd('/') }, TimeSpan.FromMinutes(5));

        Assert.True(exitCode == 0, $"scripts/walkthrough.sh exited with {exitCode}:\n{output}\n--- API output ---\n{api.Output}");
        var number = Printed(output, "number");
        var total = Printed(output, "total");
        var page = new Uri(Printed(output, "page"));
        Assert.Matches("^SANDBOX-[0-9A-Z]{4}-0001$", number);
        // Worked out in README.md: 12.00 + 3.00 + 99.95 of lines, 2.88 + 0.72 + 24.00 of federal USF.
        Assert.Equal("142.55 USD", total);
        Assert.Equal(SandboxInvoice.Total, decimal.Parse(total.Split(' ')[0], CultureInfo.InvariantCulture));
        Assert.Equal("sent (sandbox)", Printed(output, "status"));
        Assert.Contains("\"sandbox\": true", output, StringComparison.Ordinal);

        // The page answers, on loopback, with the invoice on it.
        Assert.True(page.IsLoopback, page.ToString());
        using var browser = new HttpClient();
        var answer = await browser.GetAsync(page);
        var html = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains($"Invoice <span class=\"number\">{number}</span>", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"total\"><td>Total</td><td class=\"amount\">$142.55</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>Sandbox</strong>", html, StringComparison.Ordinal);

        // The service said where its sandbox is, and that it is not Stripe.
        Assert.Contains($"Stripe sandbox at http://127.0.0.1:{page.Port}", api.Output, StringComparison.Ordinal);
    }

    /// <summary>The value the script printed after "name:" on one of its closing lines.</summary>
    private static string Printed(string output, string name)
    {
        var match = Regex.Match(output, $"^{name}:\\s+(.+)$", RegexOptions.Multiline);
        Assert.True(match.Success, $"The walk-through printed no '{name}:' line:\n{output}");
        return match.Groups[1].Value.Trim();
    }
}
