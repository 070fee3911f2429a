using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using TenantBilling.Api.Infrastructure;

namespace TenantBilling.Api.OpenApi;

/// <summary>Marks a route that only the operator may call (an account key gets 403).</summary>
public sealed class OperatorOnlyMetadata
{
    public static OperatorOnlyMetadata Instance { get; } = new();
}

/// <summary>
/// Route metadata that says which problem answers (4xx/5xx, RFC 9457) a route gives. The answers every
/// route of a kind gives are added by <see cref="WithStandardProblems"/> from what the route is; the
/// ones only a route's own logic gives (409, 422, 503, a 400 for a query value) are named on the route
/// with <see cref="Problems"/>.
/// </summary>
public static class RouteDocumentation
{
    public const string ProblemJson = "application/problem+json";

    /// <summary>Refuses account keys with 403, and says so in the document.</summary>
    public static TBuilder OperatorOnly<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter<TBuilder, OperatorOnlyFilter>().WithMetadata(OperatorOnlyMetadata.Instance);

    /// <summary>Documents problem answers that come from the route's own rules.</summary>
    public static TBuilder Problems<TBuilder>(this TBuilder builder, params int[] statuses)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(statuses.Select(Problem).ToArray<object>());

    /// <summary>
    /// Adds, after every other convention, the problem answers that follow from what each route is:
    /// 401 unless anonymous; 403 when operator-only; 404 under an account (unknown, or another
    /// account's); 400 for a tenant id in the path or a JSON body; 413 and 415 for a JSON body.
    /// </summary>
    public static RouteGroupBuilder WithStandardProblems(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            var metadata = endpoint.Metadata;
            var parameters = (endpoint as RouteEndpointBuilder)?.RoutePattern.Parameters.Select(p => p.Name).ToHashSet(StringComparer.Ordinal) ?? [];
            var jsonBody = metadata.OfType<IAcceptsMetadata>().Any(a => a.ContentTypes.Contains("application/json"));
            var statuses = new SortedSet<int>(metadata.OfType<IProducesResponseTypeMetadata>().Where(p => p.StatusCode >= 400).Select(p => p.StatusCode));
            var wanted = new List<int>();
            if (!metadata.OfType<IAllowAnonymous>().Any())
            {
                wanted.Add(StatusCodes.Status401Unauthorized);
            }

            if (metadata.OfType<OperatorOnlyMetadata>().Any())
            {
                wanted.Add(StatusCodes.Status403Forbidden);
            }

            if (parameters.Contains("accountId"))
            {
                wanted.Add(StatusCodes.Status404NotFound);
            }

            if (parameters.Contains("tenantId") || jsonBody)
            {
                wanted.Add(StatusCodes.Status400BadRequest);
            }

            if (jsonBody)
            {
                wanted.Add(StatusCodes.Status413PayloadTooLarge);
                wanted.Add(StatusCodes.Status415UnsupportedMediaType);
            }

            foreach (var status in wanted.Where(statuses.Add))
            {
                metadata.Add(Problem(status));
            }
        });
        return group;
    }

    private static ProducesResponseTypeMetadata Problem(int status) =>
        new(status, status == StatusCodes.Status400BadRequest ? typeof(HttpValidationProblemDetails) : typeof(ProblemDetails), [ProblemJson]);
}
