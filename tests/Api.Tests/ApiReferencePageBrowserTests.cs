using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TenantBilling.Api.Tests.Support;

namespace TenantBilling.Api.Tests;

/// <summary>
/// The API reference page as a person sees it, in Debian's headless Chromium (scripts/chromium.sh; ./test.sh
/// installs it when missing) against the API on a loopback socket, with every name outside loopback made
/// unresolvable: the page shows this product's title and introduction and none of the vendor's promotion,
/// and no request it makes leaves loopback. A screenshot is left in .artifacts/screenshots/.
/// </summary>
public sealed class ApiReferencePageBrowserTests(ApiReferencePageBrowserTests.Browser browser) : IClassFixture<ApiReferencePageBrowserTests.Browser>
{
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly string _baseUrl = browser.BaseUrl;

    /// <summary>The API on a loopback socket and a headless Chromium whose network ends at loopback.</summary>
    public sealed class Browser : ApiFactory, IAsyncLifetime
    {
        private HeadlessChromium? _chromium;

        public string BaseUrl { get; private set; } = null!;

        public IBrowser Chromium => _chromium!.Browser;

        public async Task InitializeAsync()
        {
            UseKestrel(0);
            StartServer();
            BaseUrl = Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');
            Assert.True(new Uri(BaseUrl).IsLoopback, $"The API listens on {BaseUrl}, not on loopback.");
            _chromium = await HeadlessChromium.LaunchAsync();
        }

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
    public async Task A_person_sees_the_product_s_reference_with_no_vendor_promotion_and_nothing_is_fetched_from_outside()
    {
        var page = await browser.Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1400, Height = 1000 } });
        page.Request += (_, request) => _requests.Enqueue(request.Url);

        await page.GotoAsync($"{_baseUrl}/scalar/v1", new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = 120_000 });
        var heading = page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Tenant Billing API", Exact = true });
        await heading.WaitForAsync(new LocatorWaitForOptions { Timeout = 120_000 });
        await page.GetByText("Create an account").First.WaitForAsync();
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("api-reference.png") });

        Assert.Contains(_requests, url => url == $"{_baseUrl}/openapi/v1.json");
        var outside = _requests.Where(url => !url.StartsWith("data:", StringComparison.Ordinal) && !new Uri(url).IsLoopback).ToList();
        Assert.True(outside.Count == 0, $"Requests left loopback: {string.Join(", ", outside)}");
        Assert.Equal("Tenant Billing API reference", await page.TitleAsync());
        Assert.True(await heading.IsVisibleAsync());
        Assert.True(await page.GetByText("Bill a VoIP carrier's resellers' customers").IsVisibleAsync(), "the introduction is not shown");
        foreach (var tag in new[] { "Accounts", "Tenants", "Statements", "Invoices", "Stripe", "Ledger", "Test clock" })
        {
            Assert.True(await page.GetByText(tag, new PageGetByTextOptions { Exact = true }).First.IsVisibleAsync(), $"the sidebar does not show {tag}");
        }

        var text = await page.Locator("body").InnerTextAsync();
        foreach (var promotion in new[] { "Powered by Scalar", "Ask AI", "Deploy", "Generate SDK", "Share", "Configure", "Developer Tools" })
        {
            Assert.DoesNotContain(promotion, text, StringComparison.OrdinalIgnoreCase);
        }

    }
}
