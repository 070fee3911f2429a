using Microsoft.AspNetCore.Routing.Matching;
using TenantBilling.Silo.Management;

namespace TenantBilling.Api.Operations;

/// <summary>Marks an endpoint served on the management port only (when the API has one).</summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method)]
public sealed class ManagementEndpointAttribute : Attribute;

/// <summary>
/// With <c>Management:Url</c> set, a request to the management port reaches only management endpoints
/// and a request to any other port never reaches one (404 either way). It goes by the port the
/// connection arrived on, not the Host header, which the caller chooses.
/// </summary>
public sealed class ManagementPortPolicy(int managementPort) : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) => true;

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        var onManagementPort = httpContext.Connection.LocalPort == managementPort;
        for (var i = 0; i < candidates.Count; i++)
        {
            var isManagement = candidates[i].Endpoint.Metadata.GetMetadata<ManagementEndpointAttribute>() is not null;
            if (candidates.IsValidCandidate(i) && isManagement != onManagementPort)
            {
                candidates.SetValidity(i, false);
            }
        }

        return Task.CompletedTask;
    }

    public static int? PortOf(IConfiguration configuration) => ManagementSettings.From(configuration).Port;
}
