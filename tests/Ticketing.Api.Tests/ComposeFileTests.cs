using Npgsql;
using Ticketing.Api.Hosting;
using Ticketing.Testing;
using YamlDotNet.RepresentationModel;

namespace Ticketing.Api.Tests;

/// <summary>
/// No Docker engine runs where the tests do, so docker-compose.yml is checked
/// by reading it: it must name the services, ports and configuration keys the
/// code really uses.
/// </summary>
public sealed class ComposeFileTests
{
    private static readonly string Root = PostgresServer.RepositoryRoot();
    private readonly YamlMappingNode services;

    public ComposeFileTests()
    {
        var yaml = new YamlStream();
        using var reader = File.OpenText(Path.Combine(Root, "docker-compose.yml"));
        yaml.Load(reader);
        services = (YamlMappingNode)((YamlMappingNode)yaml.Documents[0].RootNode)["services"];
    }

    [Fact]
    public void Silo_SetsOnlyKeysTheCodeReads()
    {
        var unknown = Environment("silo").Keys
            .Where(key => !SettingKeys.Framework.Contains(key) && !SettingKeys.All.Contains(key.Replace("__", ":", StringComparison.Ordinal)))
            .ToList();

        Assert.Empty(unknown);
    }

    [Fact]
    public void Silo_SetsEveryRequiredKey()
    {
        var keys = Environment("silo").Keys.Select(key => key.Replace("__", ":", StringComparison.Ordinal)).ToList();

        Assert.Contains(SettingKeys.ConnectionString, keys);
        Assert.Contains(SettingKeys.AuthSigningKey, keys);
        Assert.Contains(SettingKeys.StripeSecretKey, keys);
        Assert.Contains(SettingKeys.StripeWebhookSecret, keys);
    }

    [Fact]
    public void Silo_RunsInProduction_WithEverySecretFromTheEnvironment()
    {
        var silo = RawEnvironment("silo");

        Assert.Equal("Production", silo["ASPNETCORE_ENVIRONMENT"]);
        Assert.StartsWith("${TICKETING_SIGNING_KEY:?", silo["Ticketing__Auth__SigningKey"], StringComparison.Ordinal);
        Assert.StartsWith("${STRIPE_WEBHOOK_SECRET:?", silo["Ticketing__Stripe__WebhookSecret"], StringComparison.Ordinal);
        Assert.Contains("Password=${POSTGRES_PASSWORD:?", silo["ConnectionStrings__Ticketing"], StringComparison.Ordinal);
    }

    [Fact]
    public void EveryRequiredVariable_IsExplainedInEnvExample()
    {
        var required = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(Root, "docker-compose.yml")), @"\$\{([A-Z_]+):\?")
            .Select(match => match.Groups[1].Value).Distinct().ToList();
        var example = File.ReadAllLines(Path.Combine(Root, ".env.example"));

        Assert.NotEmpty(required);
        foreach (var variable in required)
        {
            Assert.Contains(example, line => line.StartsWith(variable + "=", StringComparison.Ordinal));
        }
    }

    [Fact]
    public void EveryPublishedPort_IsOnLoopbackOnly()
    {
        foreach (var (name, service) in services.Children.Select(entry => (((YamlScalarNode)entry.Key).Value!, (YamlMappingNode)entry.Value)))
        {
            if (service.Children.TryGetValue("ports", out var ports))
            {
                Assert.All(((YamlSequenceNode)ports).Select(port => ((YamlScalarNode)port).Value!), mapping =>
                    Assert.True(mapping.StartsWith("127.0.0.1:", StringComparison.Ordinal), $"{name} publishes {mapping} beyond this machine"));
            }
        }
    }

    [Fact]
    public void Silo_HasAHealthCheckOnReadiness_ThatPrometheusWaitsFor()
    {
        var check = ((YamlSequenceNode)((YamlMappingNode)Service("silo")["healthcheck"])["test"]).Select(part => ((YamlScalarNode)part).Value!);
        var prometheus = (YamlMappingNode)((YamlMappingNode)Service("prometheus")["depends_on"])["silo"];

        Assert.Contains("/health/ready", string.Join(' ', check), StringComparison.Ordinal);
        Assert.Equal("service_healthy", Scalar(prometheus, "condition"));
    }

    [Theory]
    [InlineData("src/Ticketing.Api/Dockerfile", "src/Ticketing.Api/Ticketing.Api.csproj")]
    [InlineData("src/Ticketing.StripeEmulator/Dockerfile", "src/Ticketing.StripeEmulator/Ticketing.StripeEmulator.csproj")]
    public void Dockerfile_PinsTheSdk_AndRestoresInALayerOfItsOwn(string dockerfile, string project)
    {
        var lines = File.ReadAllLines(Path.Combine(Root, dockerfile));
        var sdk = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "global.json"))).RootElement.GetProperty("sdk").GetProperty("version").GetString();
        var restore = Array.FindIndex(lines, line => line.StartsWith("RUN dotnet restore", StringComparison.Ordinal));
        var sources = Array.IndexOf(lines, "COPY . .");

        Assert.Contains($"FROM mcr.microsoft.com/dotnet/sdk:{sdk} AS build", lines);
        Assert.True(restore > 0 && restore < sources, "packages are restored before the sources are copied");
        foreach (var needed in ProjectClosure(project).Append("Directory.Packages.props"))
        {
            var copied = Array.FindIndex(lines, line => line.StartsWith("COPY ", StringComparison.Ordinal) && line.Contains(Path.GetFileName(needed), StringComparison.Ordinal));
            Assert.True(copied >= 0 && copied < restore, $"{dockerfile} copies {needed} before restoring");
        }
    }

    [Fact]
    public void Silo_AndStripeEmulator_PointAtEachOther_WithOneWebhookSecret()
    {
        var silo = Environment("silo");
        var emulator = Environment("stripe-emulator");
        var apiBase = new Uri(silo["Ticketing__Stripe__ApiBase"]);
        var webhook = new Uri(emulator["StripeEmulator__WebhookUrl"]);

        Assert.Equal("stripe-emulator", apiBase.Host);
        Assert.Equal(ListenPort(emulator), apiBase.Port);
        Assert.Equal("silo", webhook.Host);
        Assert.Equal(ListenPort(silo), webhook.Port);
        Assert.Equal("/api/webhooks/stripe", webhook.AbsolutePath);
        Assert.Equal(silo["Ticketing__Stripe__WebhookSecret"], emulator["StripeEmulator__WebhookSecret"]);
    }

    [Fact]
    public void Silo_SendsBrowsersToTheEmulatorsHostedPage_AtItsPublishedPort()
    {
        var checkout = new Uri(Environment("silo")["Ticketing__Stripe__CheckoutUrl"]);
        var emulator = Environment("stripe-emulator");
        var published = ((YamlSequenceNode)Service("stripe-emulator")["ports"]).Select(port => ((YamlScalarNode)port).Value!).ToList();

        // The browser is on this machine, not on compose's network: not the service name, the published port.
        Assert.Equal("127.0.0.1", checkout.Host);
        Assert.Contains($"127.0.0.1:{checkout.Port}:{ListenPort(emulator)}", published);
        Assert.Equal("/checkout", checkout.AbsolutePath);
    }

    [Fact]
    public void StripeEmulator_IsBuiltByADockerfileThatRunsItsAssembly()
    {
        var build = (YamlMappingNode)Service("stripe-emulator")["build"];
        var dockerfile = Path.Combine(Root, Scalar(build, "context"), Scalar(build, "dockerfile"));
        var assembly = typeof(Ticketing.StripeEmulator.EmulatorProgram).Assembly.GetName().Name + ".dll";

        Assert.True(File.Exists(dockerfile), $"{dockerfile} is missing");
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{assembly}\"]", File.ReadAllText(dockerfile), StringComparison.Ordinal);
    }

    [Fact]
    public void Postgres_RunsWithTheSettingsOfThePrivateServer()
    {
        var command = ((YamlSequenceNode)Service("postgres")["command"]).Select(part => ((YamlScalarNode)part).Value!).ToList();
        var script = File.ReadAllText(Path.Combine(Root, "scripts", "postgres.sh"));

        foreach (var setting in new[] { "max_wal_size=4GB", "shared_preload_libraries=pg_stat_statements" })
        {
            Assert.Contains(setting, command);
            Assert.Contains($"-c {setting}", script, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Silo_ConnectsToThePostgresServiceWithItsCredentials()
    {
        var connection = new NpgsqlConnectionStringBuilder(Environment("silo")["ConnectionStrings__Ticketing"]);
        var postgres = Environment("postgres");

        Assert.True(services.Children.ContainsKey(connection.Host!), $"no service named {connection.Host}");
        Assert.StartsWith("postgres:15", Scalar(Service(connection.Host!), "image"), StringComparison.Ordinal);
        Assert.Equal(5432, connection.Port);
        Assert.Equal(postgres["POSTGRES_USER"], connection.Username);
        Assert.Equal(postgres["POSTGRES_PASSWORD"], connection.Password);
        Assert.Equal(postgres["POSTGRES_DB"], connection.Database);
    }

    [Fact]
    public void Silo_WaitsForAHealthyDatabase()
    {
        var dependsOn = (YamlMappingNode)Service("silo")["depends_on"];

        Assert.Equal("service_healthy", Scalar((YamlMappingNode)dependsOn["postgres"], "condition"));
        Assert.True(Service("postgres").Children.ContainsKey("healthcheck"));
    }

    [Fact]
    public void Silo_PublishesThePortItListensOn()
    {
        var listenPort = new Uri(Environment("silo")["ASPNETCORE_URLS"].Replace("+", "localhost", StringComparison.Ordinal)).Port;
        var published = ((YamlSequenceNode)Service("silo")["ports"]).Select(port => ((YamlScalarNode)port).Value!).ToList();

        Assert.Contains(published, mapping => mapping.EndsWith($":{listenPort}", StringComparison.Ordinal));
    }

    [Fact]
    public void Silo_IsBuiltByADockerfileThatRunsTheApiAssembly()
    {
        var build = (YamlMappingNode)Service("silo")["build"];
        var dockerfile = Path.Combine(Root, Scalar(build, "context"), Scalar(build, "dockerfile"));
        var assembly = typeof(Program).Assembly.GetName().Name + ".dll";

        Assert.True(File.Exists(dockerfile), $"{dockerfile} is missing");
        var text = File.ReadAllText(dockerfile);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"{assembly}\"]", text, StringComparison.Ordinal);
        var ports = Environment("silo");
        Assert.Contains($"EXPOSE 8080 {ports["Orleans__Endpoints__SiloPort"]}\n", text, StringComparison.Ordinal);
        Assert.False(ports.ContainsKey("Orleans__Endpoints__GatewayPort"), "nothing uses an Orleans gateway");
        Assert.Contains("Ticketing.Api.csproj", text, StringComparison.Ordinal);
    }

    private static int ListenPort(Dictionary<string, string> environment) =>
        new Uri(environment["ASPNETCORE_URLS"].Replace("+", "localhost", StringComparison.Ordinal)).Port;

    private YamlMappingNode Service(string name) => (YamlMappingNode)services[name];

    /// <summary>The service's environment as compose would set it with every optional variable unset: <c>${X:-d}</c> is d, a required <c>${X:?...}</c> stays <c>&lt;X&gt;</c>.</summary>
    private Dictionary<string, string> Environment(string service) =>
        RawEnvironment(service).ToDictionary(
            entry => entry.Key,
            entry => System.Text.RegularExpressions.Regex.Replace(entry.Value, @"\$\{([A-Z_]+)(?::-([^}]*)|:\?[^}]*)?\}", match =>
                match.Groups[2].Success ? match.Groups[2].Value : $"<{match.Groups[1].Value}>"));

    private Dictionary<string, string> RawEnvironment(string service) =>
        ((YamlMappingNode)Service(service)["environment"]).Children.ToDictionary(
            entry => ((YamlScalarNode)entry.Key).Value!,
            entry => ((YamlScalarNode)entry.Value).Value!);

    /// <summary>The project and every project it references, as repository paths.</summary>
    private static HashSet<string> ProjectClosure(string project)
    {
        var seen = new HashSet<string>();
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var next))
        {
            if (!seen.Add(next))
            {
                continue;
            }

            var folder = Path.GetDirectoryName(next)!;
            foreach (System.Text.RegularExpressions.Match reference in System.Text.RegularExpressions.Regex.Matches(
                File.ReadAllText(Path.Combine(Root, next)), "ProjectReference Include=\"([^\"]+)\""))
            {
                pending.Push(Path.GetRelativePath(Root, Path.GetFullPath(Path.Combine(Root, folder, reference.Groups[1].Value.Replace('\\', '/')))));
            }
        }

        return seen;
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;
}
