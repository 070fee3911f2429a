using Microsoft.Playwright;

namespace TenantBilling.Api.Tests.Support;

/// <summary>
/// Debian's headless Chromium (scripts/chromium.sh; ./test.sh installs it when missing) driven by Playwright,
/// with every name outside loopback made unresolvable: a page that tries to fetch anything from outside fails
/// to, and the test sees the attempt among the page's requests.
/// </summary>
public sealed class HeadlessChromium : IAsyncDisposable
{
    private readonly IPlaywright _playwright;

    private HeadlessChromium(IPlaywright playwright, IBrowser browser)
    {
        _playwright = playwright;
        Browser = browser;
    }

    public IBrowser Browser { get; }

    public static async Task<HeadlessChromium> LaunchAsync()
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath(),
                Headless = true,
                // The network is closed to the page: any name but loopback fails to resolve.
                Args = ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost", "--disable-background-networking"],
            });
            return new HeadlessChromium(playwright, browser);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>Where a test leaves its screenshot for a person to look at: .artifacts/screenshots/{name}.</summary>
    public static string ScreenshotPath(string name)
    {
        var directory = Path.Combine(Repository.Root, ".artifacts", "screenshots");
        Directory.CreateDirectory(directory);
        return Path.Combine(directory, name);
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
    }

    /// <summary>Debian's Chromium: the path test.sh found, else the package's own; a clear failure without it.</summary>
    private static string ExecutablePath()
    {
        var path = Environment.GetEnvironmentVariable("TENANTBILLING_TEST_CHROMIUM") is { Length: > 0 } configured ? configured : "/usr/bin/chromium";
        Assert.True(
            File.Exists(path),
            $"Chromium is needed for the browser tests and {path} does not exist: run ./test.sh (it installs Debian's chromium when missing, as root) or apt-get install chromium.");
        return path;
    }
}
