using System.Reflection;

namespace TenantBilling.Api.BillRunConsole;

/// <summary>
/// The bill-run console at <c>/console</c>: one HTML page, its script, its style sheet and its icon, served from the API's
/// own assembly. The page holds no data: it asks for the operator key, keeps it in the tab's session storage and
/// calls the REST API with it (<c>GET /v1/bill-runs/{date}</c>, the retry route), so everything it shows or does
/// is refused without the key. A strict Content-Security-Policy lets it load nothing but these files and
/// talk to nothing but this origin. docs/operations.md describes it.
/// </summary>
public static class ConsoleHosting
{
    public const string Path = "/console";

    /// <summary>Nothing inline, nothing from elsewhere, no framing, no form posts.</summary>
    public const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly (string Route, string Resource, string ContentType)[] Files =
    [
        (Path, "console.html", "text/html; charset=utf-8"),
        ($"{Path}/console.js", "console.js", "text/javascript; charset=utf-8"),
        ($"{Path}/console.css", "console.css", "text/css; charset=utf-8"),
        ($"{Path}/favicon.svg", "favicon.svg", "image/svg+xml"),
    ];

    public static void MapBillRunConsole(this WebApplication app)
    {
        foreach (var (route, resource, contentType) in Files)
        {
            var bytes = Read(resource);
            app.MapGet(route, (HttpContext context) =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = ContentSecurityPolicy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers.CacheControl = "no-store";
                headers["Referrer-Policy"] = "no-referrer";
                return Results.Bytes(bytes, contentType);
            }).ExcludeFromDescription();
        }
    }

    private static byte[] Read(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"TenantBilling.Api.BillRunConsole.Assets.{name}")
            ?? throw new InvalidOperationException($"The console's {name} is not embedded in the API assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
