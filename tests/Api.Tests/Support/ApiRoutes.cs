using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using TenantBilling.Api.Infrastructure;

namespace TenantBilling.Api.Tests.Support;

/// <summary>One route of the running app, as routing knows it (so a route added later is found without a list to update).</summary>
/// <param name="Template">The pattern without a trailing slash, as the OpenAPI document writes it.</param>
/// <param name="BodyType">The type the route reads its body as, when it declares one.</param>
/// <param name="BodyContentType">The media type it accepts that body in.</param>
public sealed record ApiRoute(string Method, string Template, IReadOnlyList<string> Parameters, Type? BodyType, string? BodyContentType, bool UnlimitedBody)
{
    public string Name => $"{Method} {Template}";

    public bool IsWrite => Method is "POST" or "PUT" or "PATCH";

    /// <summary>Every route of the app with its method, e.g. <c>PUT /v1/accounts/{accountId}/tenants/{tenantId}</c>.</summary>
    public static IReadOnlyList<ApiRoute> Of(IServiceProvider services) =>
        services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .SelectMany(endpoint => (endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(method =>
            {
                var accepts = endpoint.Metadata.GetMetadata<IAcceptsMetadata>();
                var template = "/" + endpoint.RoutePattern.RawText!.Trim('/');
                return new ApiRoute(
                    method,
                    template,
                    endpoint.RoutePattern.Parameters.Select(p => p.Name).ToList(),
                    accepts?.RequestType,
                    accepts is { ContentTypes.Count: > 0 } ? accepts.ContentTypes[0] : null,
                    endpoint.Metadata.GetMetadata<UnlimitedBodyAttribute>() is not null);
            }))
            .OrderBy(r => r.Template, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)
            .ToList();

    /// <summary>The path with each parameter replaced by <paramref name="valueOf"/>, escaped as a path segment.</summary>
    public string Url(Func<string, string> valueOf)
    {
        var url = Template;
        foreach (var parameter in Parameters)
        {
            url = url.Replace($"{{{parameter}}}", Uri.EscapeDataString(valueOf(parameter)), StringComparison.Ordinal);
        }

        return url;
    }
}
