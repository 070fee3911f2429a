using System.Collections.Concurrent;
using Microsoft.Playwright;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>
/// A sandbox invoice's page as a person sees it, in Debian's headless Chromium whose network ends at
/// loopback: the sandbox label, the lines, each line's taxes, the total and amount due, and nothing fetched
/// from anywhere. A screenshot is left in .artifacts/screenshots/sandbox-invoice.png.
/// </summary>
public sealed class SandboxInvoicePageBrowserTests(SandboxInvoicePageBrowserTests.Browser browser) : IClassFixture<SandboxInvoicePageBrowserTests.Browser>
{
    /// <summary>The API with its Stripe sandbox, and a headless Chromium.</summary>
    public sealed class Browser : SandboxApiFactory, IAsyncLifetime
    {
        private HeadlessChromium? _chromium;

        public IBrowser Chromium => _chromium!.Browser;

        public async Task InitializeAsync() => _chromium = await HeadlessChromium.LaunchAsync();

        async Task IAsyncLifetime.DisposeAsync()
        {
            if (_chromium is not null)
            {
                await _chromium.DisposeAsync();
            }

            await DisposeAsync();
        }
    }

    [Fact]
    public async Task A_person_sees_the_sandbox_label_lines_taxes_and_total_and_nothing_is_fetched_from_outside()
    {
        var (_, invoice) = await SandboxInvoice.SendAsync(browser, browser.Operator());
        var url = invoice.GetProperty("hostedInvoiceUrl").GetString()!;
        var number = invoice.GetProperty("number").GetString()!;
        var requests = new ConcurrentQueue<string>();
        var page = await browser.Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1000, Height = 1100 } });
        page.Request += (_, request) => requests.Enqueue(request.Url);

        var answer = await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = 120_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("sandbox-invoice.png"), FullPage = true });

        Assert.Equal(200, answer!.Status);
        Assert.Equal($"Sandbox · Invoice {number}", await page.TitleAsync());
        var banner = page.GetByRole(AriaRole.Note);
        Assert.True(await banner.IsVisibleAsync(), "the sandbox banner is not shown");
        Assert.StartsWith("SANDBOX A test invoice from Tenant Billing's local Stripe sandbox — not Stripe.", await banner.InnerTextAsync(), StringComparison.Ordinal);
        var heading = page.Locator("h1");
        Assert.True(await heading.IsVisibleAsync());
        Assert.Equal($"Invoice {number} SANDBOX", await heading.InnerTextAsync());

        // Each line with its amount, each line's tax under it, then the totals.
        string[][] rows =
        [
            ["Outbound minutes — October 2026 (1,000 × $0.012)", "$12.00"],
            ["Federal Universal Service Fund (US) · 37% of $7.79", "$2.88"],
            ["Local numbers — October 2026 (2 × $1.50)", "$3.00"],
            ["Federal Universal Service Fund (US) · 37% of $1.95", "$0.72"],
            ["Hosted PBX seat — October 2026 (5 × $19.99)", "$99.95"],
            ["Federal Universal Service Fund (US) · 37% of $64.87", "$24.00"],
            ["Subtotal", "$114.95"],
            ["Federal Universal Service Fund", "$27.60"],
            ["Total", "$142.55"],
            ["Amount due", "$142.55"],
        ];
        var shown = await page.Locator("tr:visible").EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.cells].map(c => c.innerText.trim()))");
        Assert.Equal(rows, shown.Where(r => r.Length == 2 && r[0] != "Description"));
        Assert.True(await page.GetByText("Bob Baker").IsVisibleAsync());
        Assert.True(await page.GetByText("Austin, TX 78701").IsVisibleAsync());
        Assert.True(await page.GetByText("Open · awaiting payment").IsVisibleAsync());

        var outside = requests.Where(r => !new Uri(r).IsLoopback).ToList();
        Assert.True(outside.Count == 0, $"Requests left loopback: {string.Join(", ", outside)}");
        var sandbox = new Uri(url).GetLeftPart(UriPartial.Authority);
        Assert.All(requests, r => Assert.StartsWith(sandbox + "/", r, StringComparison.Ordinal));
        Assert.DoesNotContain("stripe.com", await page.ContentAsync(), StringComparison.OrdinalIgnoreCase);
    }
}
