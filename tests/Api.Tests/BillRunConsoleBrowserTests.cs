using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using TenantBilling.Api.Tests.Support;
using TenantBilling.StripeSandbox;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>
/// The bill-run console at /console as an operator uses it, in Debian's headless Chromium whose network ends at
/// loopback, over a real billing day (<see cref="BillRunScenario"/>): refused without the operator key, then the
/// days' progress bars, the accounts, the chart and the failed invoice, whose Retry button sends it. A screenshot is
/// left in .artifacts/screenshots/bill-run-console.png.
/// </summary>
public sealed class BillRunConsoleBrowserTests(BillRunConsoleBrowserTests.Browser browser) : IClassFixture<BillRunConsoleBrowserTests.Browser>
{
    /// <summary>The API on the Stripe fake, with the day run once, and a headless Chromium.</summary>
    public sealed class Browser : StripeApiFactory, IAsyncLifetime
    {
        private HeadlessChromium? _chromium;
        private BillRunScenario? _scenario;

        public IBrowser Chromium => _chromium!.Browser;

        public string BaseUrl { get; private set; } = null!;

        protected override StripeSandboxOptions? FakeOptions => StripeSandboxOptions.Exact;

        public async Task<BillRunScenario> ScenarioAsync() => _scenario ??= await BillRunScenario.RunAsync(this);

        async Task IAsyncLifetime.InitializeAsync()
        {
            await InitializeAsync();
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

            await Stripe.DisposeAsync();
            await DisposeAsync();
        }
    }

    [Fact]
    public async Task The_page_loads_nothing_from_elsewhere_under_a_strict_policy_and_holds_no_data()
    {
        var scenario = await browser.ScenarioAsync();

        foreach (var path in new[] { "/console", "/console/console.js", "/console/console.css", "/console/favicon.svg" })
        {
            var response = await browser.Client(null).GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
                string.Join(",", response.Headers.GetValues("Content-Security-Policy")));
            Assert.Equal("nosniff", string.Join(",", response.Headers.GetValues("X-Content-Type-Options")));
            var text = await response.Content.ReadAsStringAsync();
            Assert.DoesNotContain(scenario.Failing, text, StringComparison.Ordinal);
            Assert.DoesNotContain("http://", text.Replace("http://www.w3.org/2000/svg", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.DoesNotContain("https://", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Without_the_operator_key_the_console_shows_nothing_and_refuses_other_keys()
    {
        var scenario = await browser.ScenarioAsync();
        var (_, accountKey) = await Seed.KeyAsync(browser.Operator(), scenario.Sending);
        var page = await browser.Chromium.NewPageAsync();

        await page.GotoAsync(ConsoleUrl(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = 120_000 });
        Assert.True(await page.Locator("#sign-in-form").IsVisibleAsync());
        Assert.False(await page.Locator("#console").IsVisibleAsync());
        Assert.DoesNotContain(scenario.Sending, await page.ContentAsync(), StringComparison.Ordinal);

        await SignInAsync(page, "not-the-operator-key-0123456789");
        await Assertions.Expect(page.Locator("#sign-in-error")).ToHaveTextAsync("That key was refused.");
        await SignInAsync(page, accountKey);
        await Assertions.Expect(page.Locator("#sign-in-error")).ToHaveTextAsync("That is an account key: the console needs the operator key.");
        Assert.False(await page.Locator("#console").IsVisibleAsync());
        Assert.DoesNotContain(scenario.Sending, await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_operator_sees_the_day_s_progress_accounts_chart_and_failure_and_retries_it()
    {
        var scenario = await browser.ScenarioAsync();
        var requests = new ConcurrentQueue<string>();
        var policyViolations = new ConcurrentQueue<string>();
        var page = await browser.Chromium.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1280, Height = 1250 } });
        page.Request += (_, request) => requests.Enqueue(request.Url);
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Type == "error")
            {
                policyViolations.Enqueue(message.Text);
            }
        };

        await page.GotoAsync(ConsoleUrl(), new PageGotoOptions { WaitUntil = WaitUntilState.NetworkIdle, Timeout = 120_000 });
        await SignInAsync(page, ApiFactory.OperatorKey);
        await Assertions.Expect(page.Locator("#console")).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("#day-title")).ToHaveTextAsync($"{BillRunScenario.Day}: 4 invoices due");
        await Assertions.Expect(page.Locator("#pace")).ToHaveTextAsync("1 open; 2 sent per minute lately; 1 waits for a reconnect or the tax provider, not for the pace.");

        // A progress bar per billing day: the chosen day and the six before it, the chosen one 3 of 4 finished (one held).
        var days = page.Locator("#days tbody tr");
        await Assertions.Expect(days).ToHaveCountAsync(7);
        Assert.Equal([BillRunScenario.Day, "3 of 4", "1", "1"], await Cells(days.Nth(0), 0, 2, 3, 4));
        Assert.Equal("no invoices", (await Cells(days.Nth(1), 2))[0]);
        var bar = days.Nth(0).Locator("svg.bar");
        Assert.Equal(["sent", "failed", "held"], await bar.Locator("rect[data-stage]").EvaluateAllAsync<string[]>("parts => parts.map(p => p.dataset.stage)"));

        // The figures, a row per account, the chart, the failed invoice with its reason.
        Assert.Equal(
            ["Due 4", "Composing 0", "Waiting for taxes 0", "Held 1", "In Stripe 0", "Sent 2", "Failed 1", "Nothing to bill 0"],
            await page.Locator("#summary > div").EvaluateAllAsync<string[]>("ds => ds.map(d => d.querySelector('dt').textContent + ' ' + d.querySelector('dd').textContent)"));
        var accounts = page.Locator("#accounts tbody tr");
        await Assertions.Expect(accounts).ToHaveCountAsync(3);
        var sendingRow = accounts.Filter(new LocatorFilterOptions { HasText = scenario.Sending });
        Assert.Equal(["2", "0", "0", "0", "0", "2", "0", "0"], await Cells(sendingRow, 2, 3, 4, 5, 6, 7, 8, 9));
        Assert.StartsWith("finished", (await Cells(sendingRow, 11))[0], StringComparison.Ordinal);
        Assert.Equal(1, await page.Locator("#chart svg polyline.line").CountAsync());
        Assert.Contains("2 in all", await page.Locator("#chart svg").GetAttributeAsync("aria-label"), StringComparison.Ordinal);
        var failure = page.Locator("#failures tbody tr");
        await Assertions.Expect(failure).ToHaveCountAsync(1);
        Assert.Equal([scenario.Failing, "east", "2026-10", "failed"], await Cells(failure, 0, 1, 2, 3));
        Assert.Contains("API key", (await Cells(failure, 4))[0], StringComparison.OrdinalIgnoreCase);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("bill-run-console.png"), FullPage = true });

        // Retry: the button calls the retry route, the invoice is sent, the console shows it.
        browser.Stripe.RestoreApiKey(scenario.FailingSecretKey);
        await failure.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = $"Retry {scenario.Failing} east 2026-10" }).ClickAsync();
        await Assertions.Expect(page.Locator("#retry-result")).ToContainTextAsync($"Retried {scenario.Failing} / east / 2026-10");
        await Assertions.Expect(page.Locator("#failures-title")).ToHaveTextAsync("Failed invoices (0)", new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("#summary > div").Nth(5).Locator("dd")).ToHaveTextAsync("3", new LocatorAssertionsToHaveTextOptions { Timeout = 60_000 });
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = HeadlessChromium.ScreenshotPath("bill-run-console-retried.png"), FullPage = true });

        var outside = requests.Where(r => !new Uri(r).IsLoopback).ToList();
        Assert.True(outside.Count == 0, $"Requests left loopback: {string.Join(", ", outside)}");
        Assert.Contains(requests, r => r.Contains($"/v1/accounts/{scenario.Failing}/tenants/east/invoices/2026-10/retry", StringComparison.Ordinal));
        Assert.True(policyViolations.IsEmpty, string.Join("\n", policyViolations));
    }

    private string ConsoleUrl() => $"{browser.BaseUrl}/console?date={BillRunScenario.Day}";

    private static async Task SignInAsync(IPage page, string key)
    {
        await page.Locator("#key").FillAsync(key);
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Sign in" }).ClickAsync();
    }

    private static async Task<string[]> Cells(ILocator row, params int[] indexes)
    {
        var cells = await row.Locator("td").AllInnerTextsAsync();
        return indexes.Select(i => cells[i].Trim()).ToArray();
    }
}
