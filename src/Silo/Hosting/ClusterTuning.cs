using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace TenantBilling.Silo.Hosting;

/// <summary>
/// How fast the cluster notices a lost silo and how long a caller waits, chosen for a billing API whose
/// requests take milliseconds and whose clients retry (every write is idempotent). docs/cluster.md has
/// the reasoning and the measured effect; configuration can override every value:
/// <c>Orleans:ApiResponseTimeout</c>, <c>Orleans:SiloResponseTimeout</c>, and any <see cref="ClusterMembershipOptions"/> property under
/// <c>Orleans:Membership</c> (e.g. <c>Orleans:Membership:ProbeTimeout</c>).
/// </summary>
public static class ClusterTuning
{
    /// <summary>
    /// The longest an API call into the cluster waits for its answer (Orleans' default: 30 s). A request
    /// sent the moment a silo dies is lost with it, and Orleans' client only gives up on it at this
    /// timeout; every later request is served once the silo is declared dead (about 3 s). Our API's calls
    /// take milliseconds (under a second on a loaded 2-core machine), so 5 s is a wide margin, and a 503
    /// the client can retry (every write is idempotent) beats a request hanging past its own HTTP timeout.
    /// Applies to the API as an Orleans client (the production topology).
    /// </summary>
    public static readonly TimeSpan ApiResponseTimeout = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The same bound for calls between grains (Orleans' default, kept): a call may send one Stripe request
    /// (a customer's, IStripeCustomerGrain.StepInTurnAsync, has its own 90 s bound over the longest Stripe
    /// request timeout); no call waits for the account's request pace inside it, since a slot can be further
    /// away than any call may take. Calls to a silo that died end sooner anyway: when it is declared dead
    /// (seconds, see <see cref="ProbeTimeout"/>).
    /// A co-hosted API's calls are silo calls, so they have this bound.
    /// </summary>
    public static readonly TimeSpan SiloResponseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The first probe timeout (Orleans: 5 s). Orleans adapts it per monitored silo between half and four
    /// times this value from observed probe times, and a probe to a killed process fails at once; with
    /// three missed probes a dead silo is suspected after about 3–6 s instead of 8–20 s.
    /// </summary>
    public static readonly TimeSpan ProbeTimeout = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often each silo writes its I-am-alive time (Orleans: 30 s). Two missed writes (6 s) make an
    /// Active row stale, and a stale row can be declared dead without votes: that is what lets a lone
    /// silo restarted on another port after <c>kill -9</c> join in seconds instead of 90. A live silo that
    /// misses its writes is only stale, not dead: it is evicted only if probes to it fail too.
    /// </summary>
    public static readonly TimeSpan IAmAlivePeriod = TimeSpan.FromSeconds(3);

    public const int MissedIAmAliveLimit = 2;

    /// <summary>
    /// How often a silo re-reads the membership table and re-evaluates which silos to probe (Orleans: 60 s;
    /// changes also arrive by gossip). A silo that is joining notices a stale row only at that pace.
    /// </summary>
    public static readonly TimeSpan TableRefreshPeriod = TimeSpan.FromSeconds(3);

    /// <summary>Dead silos' rows are kept this long for diagnosis, then deleted (Orleans: 7 days; at most 25 are kept anyway).</summary>
    public static readonly TimeSpan DeadRowRetention = TimeSpan.FromHours(1);

    /// <summary>How often the cleanup of dead rows may run (Orleans: 1 h).</summary>
    public static readonly TimeSpan DeadRowCleanupPeriod = TimeSpan.FromMinutes(10);

    /// <summary>How often an API in client mode re-reads the list of gateways (Orleans: 1 min), so a restarted silo is used soon.</summary>
    public static readonly TimeSpan GatewayListRefreshPeriod = TimeSpan.FromSeconds(5);

    public const string MembershipSection = ClusterSettings.Section + ":Membership";
    public const string ApiResponseTimeoutKey = ClusterSettings.Section + ":ApiResponseTimeout";
    public const string SiloResponseTimeoutKey = ClusterSettings.Section + ":SiloResponseTimeout";

    public static ISiloBuilder UseBillingClusterTuning(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Configure<ClusterMembershipOptions>(o =>
        {
            o.ProbeTimeout = ProbeTimeout;
            o.IAmAliveTablePublishTimeout = IAmAlivePeriod;
            o.NumMissedTableIAmAliveLimit = MissedIAmAliveLimit;
            o.TableRefreshTimeout = TableRefreshPeriod;
            o.DefunctSiloExpiration = DeadRowRetention;
            o.DefunctSiloMinimumRetention = DeadRowRetention;
            o.DefunctSiloCleanupPeriod = DeadRowCleanupPeriod;
        });
        silo.Services.Configure<ClusterMembershipOptions>(configuration.GetSection(MembershipSection));
        silo.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = configuration.GetValue(SiloResponseTimeoutKey, SiloResponseTimeout));
        return silo;
    }

    public static IClientBuilder UseBillingClusterTuning(this IClientBuilder client, IConfiguration configuration)
    {
        client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = configuration.GetValue(ApiResponseTimeoutKey, ApiResponseTimeout));
        client.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = GatewayListRefreshPeriod);
        return client;
    }
}
