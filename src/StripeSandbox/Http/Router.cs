namespace TenantBilling.StripeSandbox.Http;

/// <summary>An endpoint: runs under its account's lock and returns the 200 body, or throws <see cref="StripeApiException"/>.</summary>
internal delegate byte[] Endpoint(Api.ApiContext context);

/// <summary>A matched route: its template (for counters) and the <c>{id}</c> segment, if any.</summary>
internal sealed record RouteMatch(string Template, Endpoint Endpoint, string? Id);

/// <summary>
/// Stripe paths are a few fixed shapes (<c>/v1/invoices/{id}/pay</c>), so a linear table of segment
/// templates is enough; literal segments are registered before <c>{id}</c> ones that would shadow them.
/// </summary>
internal sealed class Router
{
    private readonly List<(string Method, string[] Segments, string Template, Endpoint Endpoint)> routes = [];

    public Router Map(string method, string template, Endpoint endpoint)
    {
        this.routes.Add((method, template.Trim('/').Split('/'), $"{method} {template}", endpoint));
        return this;
    }

    public RouteMatch? Match(string method, string path)
    {
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        foreach (var route in this.routes)
        {
            if (!string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase) || route.Segments.Length != segments.Length)
            {
                continue;
            }

            string? id = null;
            var matched = true;
            for (var i = 0; i < segments.Length && matched; i++)
            {
                if (route.Segments[i] == "{id}")
                {
                    id = Uri.UnescapeDataString(segments[i]);
                }
                else
                {
                    matched = string.Equals(route.Segments[i], segments[i], StringComparison.Ordinal);
                }
            }

            if (matched)
            {
                return new RouteMatch(route.Template, route.Endpoint, id);
            }
        }

        return null;
    }
}
