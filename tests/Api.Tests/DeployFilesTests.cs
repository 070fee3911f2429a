using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TenantBilling.Api.Infrastructure;
using TenantBilling.Api.Operations;
using TenantBilling.Api.Tests.Support;
using TenantBilling.Grains;
using TenantBilling.Grains.Integrations.Stripe;
using TenantBilling.Grains.Integrations.Taxes;
using TenantBilling.Silo;
using TenantBilling.Silo.Hosting;
using TenantBilling.Silo.Management;
using TenantBilling.Silo.Telemetry;
using YamlDotNet.RepresentationModel;

namespace TenantBilling.Api.Tests;

/// <summary>
/// The deploy/ files can't be run here (no registry, no Docker engine), so they are read: every environment
/// variable they set is a setting the product reads and deploy/README.md documents; every probe path is
/// mapped; ports agree between images, manifests and settings; the manifests follow Orleans' guidance.
/// </summary>
public sealed partial class DeployFilesTests(DeployFilesTests.ManagedApiFactory api) : IClassFixture<DeployFilesTests.ManagedApiFactory>
{
    /// <summary>Options classes and the configuration section each is bound from.</summary>
    private static readonly (string Section, Type Options)[] BoundOptions =
    [
        (ClusterSettings.Section, typeof(ClusterSettings)),
        (AuthOptions.Section, typeof(AuthOptions)),
        (StripeOptions.Section, typeof(StripeOptions)),
        (BillingOptions.Section, typeof(BillingOptions)),
        (TaxTableOptions.SectionName, typeof(TaxTableOptions)),
        (TestModeOptions.Section, typeof(TestModeOptions)),
        (ManagementSettings.Section, typeof(ManagementSettings)),
        (TelemetrySettings.Section, typeof(TelemetrySettings)),
        (DashboardSettings.Section, typeof(DashboardSettings)),
        (ShutdownSettings.Section, typeof(ShutdownSettings)),
    ];

    /// <summary>Settings read by name, by our code or by .NET and OpenTelemetry.</summary>
    private static readonly string[] NamedSettings =
    [
        $"ConnectionStrings:{TenantBillingHosting.ConnectionStringName}",
        "Api:Cluster",
        "Urls",
        "ASPNETCORE_ENVIRONMENT",
        "DOTNET_ENVIRONMENT",
        "ASPNETCORE_HTTP_PORTS",
        "Logging:Console:FormatterName",
        TelemetrySettings.OtlpEndpointSetting,
        "OTEL_EXPORTER_OTLP_PROTOCOL",
        "OTEL_EXPORTER_OTLP_HEADERS",
        "OTEL_SERVICE_NAME",
        "OTEL_RESOURCE_ATTRIBUTES",
    ];

    private static readonly string Root = FindRoot();
    private static readonly string[] Probes = ["startupProbe", "readinessProbe", "livenessProbe"];
    private static readonly string[] ComposeSilos = ["silo1", "silo2", "silo3"];
    private static readonly string[] Misspelt = ["Orleans__SiloPrt", "Managment__Url", "Stripe__EncryptionKey__x", "Stripe__EncryptionKey"];

    [Fact]
    public void Every_environment_variable_the_deploy_files_set_is_a_setting_the_product_reads_and_the_readme_documents()
    {
        var readme = File.ReadAllText(Path.Combine(Root, "deploy", "README.md"));
        var variables = DeployVariables().ToList();

        Assert.True(variables.Count > 40, $"Only {variables.Count} settings found: the file readers are broken.");
        Assert.All(variables, v => Assert.True(IsRealSetting(v.Name), $"{v.File} sets {v.Name}, which nothing reads."));
        Assert.All(variables.Select(v => v.Name).Distinct(), name => Assert.Contains($"`{Unindexed(name)}", readme, StringComparison.Ordinal));
    }

    [Fact]
    public void The_setting_check_refuses_a_misspelt_setting() =>
        Assert.Equal([false, false, false, true], Misspelt.Select(IsRealSetting));

    [Fact]
    public void Every_probe_path_is_mapped_on_the_port_it_is_sent_to()
    {
        var siloRoutes = SiloRoutes();
        var apiRoutes = api.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>().ToList();

        foreach (var (deployment, container) in Containers())
        {
            var ports = ContainerPorts(container);
            foreach (var probe in Probes.Where(p => container.Children.ContainsKey(new YamlScalarNode(p))))
            {
                var http = Map(Map(container, probe), "httpGet");
                var path = Text(http, "path");
                var port = Text(http, "port");
                Assert.True(ports.ContainsKey(port), $"{deployment}: {probe} targets port '{port}', which the container does not declare.");
                if (deployment == "tenant-billing-silo")
                {
                    Assert.Contains(path, siloRoutes);
                }
                else
                {
                    // The API's management port (Management__Url set in its manifest) serves only management endpoints.
                    Assert.Equal("management", port);
                    Assert.Contains(apiRoutes, e => "/" + e.RoutePattern.RawText!.Trim('/') == path && e.Metadata.GetMetadata<ManagementEndpointAttribute>() is not null);
                }
            }
        }
    }

    [Fact]
    public void Ports_agree_between_the_images_the_manifests_the_compose_file_and_the_settings()
    {
        foreach (var (deployment, container) in Containers())
        {
            var ports = ContainerPorts(container);
            var env = Env(container);
            var image = deployment == "tenant-billing-silo" ? "silo" : "api";
            var dockerfile = File.ReadAllText(Path.Combine(Root, "deploy", "docker", $"{image}.Dockerfile"));
            var exposed = ExposeLine().Match(dockerfile).Groups[1].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).Order();

            Assert.Equal(ports.Values.Order(), exposed);
            Assert.Equal(ports["management"], ManagementSettings.PortOf(env["Management__Url"]));
            Assert.Equal(ports["management"], ManagementSettings.PortOf(DockerfileEnv(dockerfile)["Management__Url"]));
            if (image == "silo")
            {
                Assert.Equal(ports["silo"], int.Parse(env["Orleans__SiloPort"]));
                Assert.Equal(ports["gateway"], int.Parse(env["Orleans__GatewayPort"]));
            }
            else
            {
                Assert.Equal(ports["http"], ManagementSettings.PortOf(env["Urls"]));
            }
        }

        var services = Map(Compose(), "services");
        var apiEnvironment = Map(Map(services, "api"), "environment");
        var published = Seq(Map(services, "api"), "ports").Select(p => int.Parse(((YamlScalarNode)p).Value!.Split(':')[^1])).Order();
        Assert.Equal(new[] { ManagementSettings.PortOf(Text(apiEnvironment, "Urls")), ManagementSettings.PortOf(Text(apiEnvironment, "Management__Url")) }.Order(), published);
        var siloEnvironment = Map(Map(services, "silo1"), "environment");
        Assert.Equal(("11111", "30000", 8081), (Text(siloEnvironment, "Orleans__SiloPort"), Text(siloEnvironment, "Orleans__GatewayPort"), ManagementSettings.PortOf(Text(siloEnvironment, "Management__Url"))));
        var addresses = ComposeSilos.Select(s => Text(Map(Map(Map(services, s), "networks"), "cluster"), "ipv4_address")).ToList();
        Assert.Equal(3, addresses.Distinct().Count());
        Assert.Equal(addresses, ComposeSilos.Select(s => AdvertisedAddress(Map(services, s))));
    }

    [Fact]
    public void The_manifests_follow_orleans_deployment_guidance()
    {
        var documents = Manifests().ToList();
        foreach (var deployment in documents.Where(d => Text(d, "kind") == "Deployment"))
        {
            var name = Text(Map(deployment, "metadata"), "name");
            var spec = Map(deployment, "spec");
            var rolling = Map(Map(spec, "strategy"), "rollingUpdate");
            Assert.Equal(("0", "1"), (Text(rolling, "maxUnavailable"), Text(rolling, "maxSurge")));
            Assert.True(int.Parse(Text(spec, "minReadySeconds")) > 0, name);
            var pod = Map(Map(spec, "template"), "spec");
            var shutdownTimeout = name == "tenant-billing-silo" ? SiloShutdownTimeout() : new HostOptions().ShutdownTimeout;
            Assert.True(int.Parse(Text(pod, "terminationGracePeriodSeconds")) > shutdownTimeout.TotalSeconds, $"{name}: the grace period must exceed the host's shutdown timeout.");
            Assert.Equal("false", Text(pod, "automountServiceAccountToken"));
            Assert.Equal("true", Text(Map(pod, "securityContext"), "runAsNonRoot"));
            var labels = Map(Map(spec, "selector"), "matchLabels");
            Assert.Contains(documents, d => Text(d, "kind") == "PodDisruptionBudget" && Text(Map(Map(Map(d, "spec"), "selector"), "matchLabels"), "app.kubernetes.io/name") == Text(labels, "app.kubernetes.io/name"));

            foreach (YamlMappingNode variable in Seq(Map(Seq(pod, "containers")[0]), "env"))
            {
                var variableName = Text(variable, "name");
                if (variableName is "ConnectionStrings__Orleans" or "Auth__OperatorKeys__0" or "Stripe__EncryptionKey" or "Stripe__PlatformSecretKey" or "Stripe__WebhookSecret")
                {
                    Assert.True(variable.Children.ContainsKey("valueFrom") && Map(Map(variable, "valueFrom")).Children.ContainsKey("secretKeyRef"), $"{name}: {variableName} must come from a secret.");
                }
            }
        }

        var silo = documents.Single(d => Text(d, "kind") == "Deployment" && Text(Map(d, "metadata"), "name") == "tenant-billing-silo");
        var siloContainer = Map(Seq(Map(Map(Map(silo, "spec"), "template"), "spec"), "containers")[0]);
        var advertised = Seq(siloContainer, "env").Cast<YamlMappingNode>().Single(v => Text(v, "name") == "Orleans__AdvertisedIPAddress");
        Assert.Equal("status.podIP", Text(Map(Map(advertised, "valueFrom"), "fieldRef"), "fieldPath"));
        Assert.DoesNotContain(documents, d => Text(d, "kind") == "Service" && Seq(Map(d, "spec"), "ports").Cast<YamlMappingNode>().Any(p => Text(p, "port") is "11111" or "30000"));
    }

    [Theory]
    [InlineData("api")]
    [InlineData("silo")]
    public void Each_image_is_built_in_stages_and_runs_the_runtime_image_as_a_non_root_user(string image)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, "deploy", "docker", $"{image}.Dockerfile")).Where(l => !l.TrimStart().StartsWith('#')).ToList();
        var stages = lines.Select((l, i) => (l, i)).Where(x => x.l.StartsWith("FROM ", StringComparison.Ordinal)).ToList();
        Assert.True(stages.Count >= 2);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/sdk:10.0", stages[0].l, StringComparison.Ordinal);
        Assert.StartsWith("FROM mcr.microsoft.com/dotnet/aspnet:10.0", stages[^1].l, StringComparison.Ordinal);
        var final = lines.Skip(stages[^1].i).ToList();
        Assert.Contains(final, l => l == "USER $APP_UID");
        Assert.DoesNotContain(final, l => l.StartsWith("RUN dotnet", StringComparison.Ordinal));
        Assert.Contains(final, l => l.StartsWith("COPY --from=build", StringComparison.Ordinal));
        Assert.Contains($"\"TenantBilling.{(image == "api" ? "Api" : "Silo")}.dll\"", final.Last(l => l.StartsWith("ENTRYPOINT", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    /// <summary>The shutdown timeout a silo process really runs with (its host's options), and the bound the docs state.</summary>
    private static TimeSpan SiloShutdownTimeout()
    {
        var app = SiloProgram.Build([]);
        var timeout = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HostOptions>>().Value.ShutdownTimeout;
        Assert.Equal(new ShutdownSettings().Timeout, timeout);
        Assert.True(timeout < TimeSpan.FromSeconds(30), "A silo's shutdown timeout must stay below Kubernetes' default grace period (30 s).");
        return timeout;
    }

    private static bool IsRealSetting(string variable)
    {
        var key = Unindexed(variable).Replace("__", ":", StringComparison.Ordinal);
        if (NamedSettings.Contains(key, StringComparer.OrdinalIgnoreCase) || key.StartsWith("Logging:LogLevel:", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return BoundOptions.Any(b =>
            key.StartsWith(b.Section + ":", StringComparison.OrdinalIgnoreCase)
            && key[(b.Section.Length + 1)..] is var property && !property.Contains(':', StringComparison.Ordinal)
            && b.Options.GetProperty(property, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { CanWrite: true });
    }

    /// <summary><c>Auth__OperatorKeys__0</c> is an item of <c>Auth__OperatorKeys</c>.</summary>
    private static string Unindexed(string variable) => IndexSuffix().Replace(variable, string.Empty);

    private static IEnumerable<(string File, string Name)> DeployVariables()
    {
        var deploy = Path.Combine(Root, "deploy");
        foreach (var file in Directory.GetFiles(deploy, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(Root, file);
            var text = File.ReadAllText(file);
            var names = Path.GetExtension(file) switch
            {
                ".yaml" when relative.Contains("kubernetes", StringComparison.Ordinal) => Manifests(file).SelectMany(ManifestEnvNames),
                ".yaml" => OurComposeServices().SelectMany(s => ComposeEnvNames(Map(s, "environment"))),
                ".json" => Flatten(JsonDocument.Parse(text).RootElement, string.Empty),
                ".md" or ".example" or ".dockerignore" => [],
                _ => AssignedVariable().Matches(text).Select(m => m.Groups[1].Value),
            };
            foreach (var name in names)
            {
                yield return (relative, name);
            }
        }
    }

    /// <summary>Compose services running our images (PostgreSQL's own settings are its business).</summary>
    private static IEnumerable<YamlMappingNode> OurComposeServices() =>
        Map(Compose(), "services").Children.Values.Cast<YamlMappingNode>()
            .Where(s => Entry(s, "image") is YamlScalarNode { Value: { } image } && image.StartsWith("tenant-billing-", StringComparison.Ordinal));

    private static IEnumerable<string> ComposeEnvNames(YamlMappingNode environment) =>
        environment.Children.SelectMany(c => c.Key.ToString() == "<<" ? ComposeEnvNames((YamlMappingNode)c.Value) : [c.Key.ToString()]);

    private static IEnumerable<string> ManifestEnvNames(YamlMappingNode document) =>
        document.AllNodes.OfType<YamlMappingNode>().SelectMany(m => m.Children)
            .Where(c => c.Key.ToString() == "env" && c.Value is YamlSequenceNode)
            .SelectMany(c => ((YamlSequenceNode)c.Value).Children.Cast<YamlMappingNode>().Select(v => Text(v, "name")));

    private static IEnumerable<string> Flatten(JsonElement element, string prefix) => element.ValueKind switch
    {
        JsonValueKind.Object => element.EnumerateObject().SelectMany(p => Flatten(p.Value, prefix.Length == 0 ? p.Name : $"{prefix}__{p.Name}")),
        JsonValueKind.Array => element.EnumerateArray().Select((e, i) => (e, i)).SelectMany(x => Flatten(x.e, $"{prefix}__{x.i}")),
        _ => [prefix],
    };

    private static IEnumerable<(string Deployment, YamlMappingNode Container)> Containers() =>
        Manifests().Where(d => Text(d, "kind") == "Deployment")
            .Select(d => (Text(Map(d, "metadata"), "name"), Map(Seq(Map(Map(Map(d, "spec"), "template"), "spec"), "containers")[0])));

    private static Dictionary<string, int> ContainerPorts(YamlMappingNode container) =>
        Seq(container, "ports").Cast<YamlMappingNode>().ToDictionary(p => Text(p, "name"), p => int.Parse(Text(p, "containerPort")));

    private static Dictionary<string, string> Env(YamlMappingNode container) =>
        Seq(container, "env").Cast<YamlMappingNode>().Where(v => v.Children.ContainsKey("value")).ToDictionary(v => Text(v, "name"), v => Text(v, "value"));

    private static Dictionary<string, string> DockerfileEnv(string dockerfile) =>
        AssignedValue().Matches(dockerfile).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);

    private static string AdvertisedAddress(YamlMappingNode service) => Text(Map(service, "environment"), "Orleans__AdvertisedIPAddress");

    private static IEnumerable<YamlMappingNode> Manifests() =>
        Directory.GetFiles(Path.Combine(Root, "deploy", "kubernetes"), "*.yaml").SelectMany(Manifests);

    private static IEnumerable<YamlMappingNode> Manifests(string file)
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(file));
        stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlMappingNode Compose()
    {
        var stream = new YamlStream();
        using var reader = new StringReader(File.ReadAllText(Path.Combine(Root, "deploy", "compose.yaml")));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents[0].RootNode;
    }

    /// <summary>A mapping's entry, following YAML merge keys (<c>&lt;&lt;: *anchor</c>) as Compose does.</summary>
    private static YamlNode? Entry(YamlMappingNode node, string key)
    {
        if (node.Children.TryGetValue(new YamlScalarNode(key), out var value))
        {
            return value;
        }

        return node.Children.TryGetValue(new YamlScalarNode("<<"), out var merged) && merged is YamlMappingNode parent ? Entry(parent, key) : null;
    }

    private static YamlMappingNode Map(YamlNode node, string key) =>
        Entry((YamlMappingNode)node, key) as YamlMappingNode ?? throw new Xunit.Sdk.XunitException($"No mapping '{key}'.");

    private static YamlMappingNode Map(YamlNode node) => (YamlMappingNode)node;

    private static IList<YamlNode> Seq(YamlNode node, string key) =>
        (Entry((YamlMappingNode)node, key) as YamlSequenceNode)?.Children ?? throw new Xunit.Sdk.XunitException($"No sequence '{key}'.");

    private static string Text(YamlNode node, string key) =>
        (Entry((YamlMappingNode)node, key) as YamlScalarNode)?.Value ?? throw new Xunit.Sdk.XunitException($"No value '{key}'.");

    private static HashSet<string> SiloRoutes()
    {
        var silo = SiloProgram.Build(["--Orleans:ClusterId=deploy-files-test", "--Dashboard:Enabled=false"]);
        var routes = ((IEndpointRouteBuilder)silo).DataSources.SelectMany(d => d.Endpoints).OfType<RouteEndpoint>().Select(e => "/" + e.RoutePattern.RawText!.Trim('/')).ToHashSet(StringComparer.Ordinal);
        ((IDisposable)silo).Dispose();
        return routes;
    }

    private static string FindRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TenantBilling.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (TenantBilling.sln) was not found.");
    }

    [GeneratedRegex(@"(?<![A-Za-z0-9_])((?:[A-Za-z][A-Za-z0-9]*(?:__[A-Za-z0-9]+)+)|ASPNETCORE_[A-Z_]+|DOTNET_[A-Z_]+|OTEL_[A-Z_]+|Urls)=")]
    private static partial Regex AssignedVariable();

    [GeneratedRegex(@"(?<![A-Za-z0-9_])([A-Za-z][A-Za-z0-9]*(?:__[A-Za-z0-9]+)+|Urls)=(\S+)")]
    private static partial Regex AssignedValue();

    [GeneratedRegex(@"^EXPOSE\s+([0-9 ]+)$", RegexOptions.Multiline)]
    private static partial Regex ExposeLine();

    [GeneratedRegex(@"(__[0-9]+)+$")]
    private static partial Regex IndexSuffix();

    /// <summary>The API as its manifest configures it: with a management port.</summary>
    public sealed class ManagedApiFactory : ApiFactory
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.UseSetting("Management:Url", "http://127.0.0.1:8081");
        }
    }
}
