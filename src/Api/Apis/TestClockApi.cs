using Microsoft.AspNetCore.Http.HttpResults;
using TenantBilling.Api.Contracts;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.OpenApi;
using TenantBilling.Grains;
using TenantBilling.Grains.Interfaces;

namespace TenantBilling.Api.Apis;

/// <summary>
/// The cluster's test clock, mapped only in test mode. Moving it changes "now" for everything that
/// schedules, on every silo and API process (it waits until every silo runs on the new time), then
/// wakes every tenant so that invoices which became due are sent within seconds.
/// </summary>
public static class TestClockApi
{
    private const int WakeConcurrency = 64;

    /// <summary>The clock may be moved within these bounds only: far dates overflow reminder arithmetic and bill nothing real.</summary>
    private static readonly DateTimeOffset Earliest = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Latest = new(2100, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static RouteGroupBuilder MapTestClockApi(this RouteGroupBuilder v1)
    {
        var clock = v1.MapGroup("/test-clock").OperatorOnly().WithTags("Test clock");
        clock.MapGet("/", GetClock)
            .WithName("GetTestClock").WithSummary("Get the test clock")
            .WithDescription("Operator only, test mode only: the cluster's billing clock — its \"now\" and its offset from real time.");
        clock.MapPost("/", SetClock).WithName("SetTestClock").WithSummary("Move the test clock")
            .WithDescription("Operator only, test mode only. Moves \"now\" for everything that schedules, on every silo and API process of the cluster, and wakes every tenant, so invoices that became due are sent within seconds. 503 when a silo has not taken the new time within 3 s; repeating the request is safe.");
        return v1;
    }

    private static async Task<Ok<TestClockResponse>> GetClock(TestClock testClock, IGrainFactory grains)
    {
        testClock.Apply(await grains.GetGrain<ITestClockGrain>(GrainKeys.TestClock).GetAsync());
        return TypedResults.Ok(new TestClockResponse(testClock.GetUtcNow(), testClock.Offset, 0));
    }

    private static async Task<Ok<TestClockResponse>> SetClock(TestClockRequest request, TestClock testClock, IGrainFactory grains)
    {
        if (request.Now is not { } now || now < Earliest || now >= Latest)
        {
            throw BillingProblemException.Invalid("now", $"Required: an ISO 8601 instant from {Earliest:yyyy-MM-dd} to before {Latest:yyyy-MM-dd}, e.g. 2026-12-20T00:00:00Z.");
        }

        testClock.Apply(await grains.GetGrain<ITestClockGrain>(GrainKeys.TestClock).SetAsync(now.ToUniversalTime()));
        var woken = 0;
        foreach (var accountId in await grains.GetGrain<IAccountDirectoryGrain>(GrainKeys.AccountDirectory).ListAsync())
        {
            string? after = null;
            do
            {
                var page = await grains.GetGrain<IAccountGrain>(accountId).ListTenantsAsync(after, 500);
                await Parallel.ForEachAsync(
                    page.TenantIds,
                    new ParallelOptions { MaxDegreeOfParallelism = WakeConcurrency },
                    async (tenantId, _) => await grains.GetGrain<ITenantGrain>(GrainKeys.Tenant(accountId, tenantId)).WakeAsync());
                woken += page.TenantIds.Count;
                after = page.NextAfter;
            }
            while (after is not null);
        }

        return TypedResults.Ok(new TestClockResponse(testClock.GetUtcNow(), testClock.Offset, woken));
    }
}
