using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using TenantBilling.Api.Tests.Support;
using TenantBilling.TestSupport;

namespace TenantBilling.Api.Tests;

/// <summary>The Orleans dashboard and /metrics are the operator's: never anonymous, never an account's.</summary>
public sealed class OperatorAccessTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.min.js")]
    [InlineData("/dashboard/ClusterStats")]
    [InlineData("/dashboard/DashboardCounters")]
    [InlineData("/dashboard/Reminders")]
    [InlineData("/metrics")]
    public async Task Anonymous_callers_and_account_keys_are_refused(string path)
    {
        var accountId = await Seed.AccountAsync(api.Operator());
        var (_, accountKey) = await Seed.KeyAsync(api.Operator(), accountId);

        var anonymous = await api.Client(null).GetAsync(path);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Contains(anonymous.Headers.WwwAuthenticate, c => c.Scheme == "Basic");
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.Client(accountKey).GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithBasic(api.Client(null), accountKey).GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithBasic(api.Client(null), ApiFactory.OperatorKey + "x").GetAsync(path)).StatusCode);
    }

    [Fact]
    public async Task The_operator_opens_the_dashboard_in_a_browser_with_the_key_as_basic_password_or_with_the_bearer_key()
    {
        var browser = WithBasic(api.Client(null), ApiFactory.OperatorKey);

        var page = await browser.GetAsync("/dashboard/");
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/dashboard/index.min.js")).StatusCode);
        var stats = await api.Operator().GetAsync("/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);
        Assert.Contains("totalActiveHostCount", await stats.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_dashboard_does_not_show_grain_state_unless_configured()
    {
        var response = await api.Operator().GetAsync("/dashboard/GrainState?grainId=x&grainType=tenant");
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
    }

    [Fact]
    public async Task The_dashboard_and_metrics_are_mapped_but_not_in_the_api_description()
    {
        var routes = ApiRoute.Of(api.Services).Select(r => r.Template).ToList();
        var document = await (await api.Client(null).GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync();

        Assert.Contains("/dashboard/DashboardCounters", routes);
        Assert.Contains("/metrics", routes);
        Assert.DoesNotContain("/dashboard", document, StringComparison.Ordinal);
        Assert.DoesNotContain("/metrics", document, StringComparison.Ordinal);
    }

    private static HttpClient WithBasic(HttpClient client, string password)
    {
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"operator:{password}")));
        return client;
    }
}

/// <summary>
/// With a management port, the dashboard and /metrics live there only (the port the connection arrived
/// on decides, not the Host header), /metrics is scraped without a key, the dashboard still needs it.
/// </summary>
public sealed class ManagementPortTests : IClassFixture<ManagementPortTests.Factory>
{
    private readonly Factory _api;

    public ManagementPortTests(Factory api)
    {
        _api = api;
        api.StartServer();
    }

    [Fact]
    public async Task The_dashboard_and_metrics_are_served_on_the_management_port_only()
    {
        using var http = new HttpClient();
        var management = $"http://127.0.0.1:{_api.ManagementPort}";
        var publicPort = $"http://127.0.0.1:{_api.PublicPort}";
        var operatorKey = new AuthenticationHeaderValue("Bearer", ApiFactory.OperatorKey);

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{management}/metrics")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.GetAsync($"{management}/dashboard/ClusterStats")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Send(http, $"{management}/dashboard/ClusterStats", operatorKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{management}/health/live")).StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await Send(http, $"{publicPort}/metrics", operatorKey)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(http, $"{publicPort}/dashboard/ClusterStats", operatorKey)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(http, $"{publicPort}/metrics", operatorKey, host: $"localhost:{_api.ManagementPort}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Send(http, $"{management}/v1/accounts/anyone", operatorKey)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync($"{publicPort}/health/live")).StatusCode);
    }

    private static Task<HttpResponseMessage> Send(HttpClient http, string url, AuthenticationHeaderValue auth, string? host = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = auth;
        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return http.SendAsync(request);
    }

    public sealed class Factory : ApiFactory
    {
        public int PublicPort { get; } = Ports.Free();

        public int ManagementPort { get; } = Ports.Free();

        public Factory() => UseKestrel();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Urls", $"http://127.0.0.1:{PublicPort}");
            builder.UseSetting("Management:Url", $"http://127.0.0.1:{ManagementPort}");
        }
    }
}
