using System.Text;
using Microsoft.AspNetCore.Http;
using TenantBilling.StripeSandbox.State;

namespace TenantBilling.StripeSandbox.Pages;

/// <summary>
/// The pages a person opens in a browser, beside the API: each finalized invoice at its
/// <c>hosted_invoice_url</c> (<see cref="InvoicePath"/>), and a page at <c>/</c> that says what this server
/// is. Plain HTML with one inline style sheet; the Content-Security-Policy lets the page load nothing else,
/// so it works offline and can never fetch a font, script or image from anywhere. Every page says it is
/// the sandbox. No key is needed: like Stripe's hosted page, the URL itself (its random invoice id) is the
/// access.
/// </summary>
internal sealed class HostedPages(AccountStore accounts)
{
    private const string InvoicesPrefix = "/sandbox/invoices/";

    /// <summary>The path of an invoice's page: <c>/sandbox/invoices/{account}/{invoice}</c>.</summary>
    public static string InvoicePath(string accountId, string invoiceId) =>
        $"{InvoicesPrefix}{Uri.EscapeDataString(accountId)}/{Uri.EscapeDataString(invoiceId)}";

    /// <summary>Whether a request is for a page rather than the API: <c>/</c> and everything under <c>/sandbox/</c>.</summary>
    public static bool Serves(HttpRequest request) =>
        request.Path.Value is "/" or "" || request.Path.StartsWithSegments("/sandbox", StringComparison.Ordinal);

    public async Task HandleAsync(HttpContext http)
    {
        var request = http.Request;
        var (status, html) = request.Method is not ("GET" or "HEAD")
            ? (StatusCodes.Status405MethodNotAllowed, PageHtml.NotFound("Pages are only read (GET)."))
            : request.Path.Value is "/" or ""
                ? (StatusCodes.Status200OK, PageHtml.Home())
                : this.Invoice(request.Path.Value!) is { } page
                    ? (StatusCodes.Status200OK, PageHtml.Invoice(page))
                    : (StatusCodes.Status404NotFound, PageHtml.NotFound("No such invoice in this sandbox. Its invoices live in memory, so they are gone once the service that ran them stops."));

        var response = http.Response;
        response.StatusCode = status;
        response.ContentType = "text/html; charset=utf-8";
        var headers = response.Headers;
        headers.ContentSecurityPolicy = PageHtml.ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers.CacheControl = "no-store";
        headers["Referrer-Policy"] = "no-referrer";
        headers["X-Frame-Options"] = "DENY";
        var body = Encoding.UTF8.GetBytes(html);
        response.ContentLength = body.Length;
        if (request.Method != "HEAD")
        {
            await response.Body.WriteAsync(body, http.RequestAborted).ConfigureAwait(false);
        }
    }

    /// <summary>The finalized invoice a path names, read under its account's lock; null for anything else (drafts have no page, as on Stripe).</summary>
    private InvoicePage? Invoice(string path)
    {
        if (!path.StartsWith(InvoicesPrefix, StringComparison.Ordinal)
            || path[InvoicesPrefix.Length..].Split('/') is not [var accountSegment, var invoiceSegment]
            || accounts.Find(Uri.UnescapeDataString(accountSegment)) is not { } account)
        {
            return null;
        }

        lock (account.Gate)
        {
            return account.Invoices.GetValueOrDefault(Uri.UnescapeDataString(invoiceSegment)) is { Status: not InvoiceStatus.Draft } invoice
                ? InvoicePage.From(account, invoice)
                : null;
        }
    }
}
