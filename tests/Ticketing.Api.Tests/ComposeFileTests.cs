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
        Assert.Contains("whsec_", emulator["StripeEmulator__WebhookSecret"], StringComparison.Ordinal);
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
        Assert.Contains($"EXPOSE 8080 {ports["Orleans__Endpoints__SiloPort"]} {ports["Orleans__Endpoints__GatewayPort"]}", text, StringComparison.Ordinal);
        Assert.Contains("Ticketing.Api.csproj", text, StringComparison.Ordinal);
    }

    private static int ListenPort(Dictionary<string, string> environment) =>
        new Uri(environment["ASPNETCORE_URLS"].Replace("+", "localhost", StringComparison.Ordinal)).Port;

    private YamlMappingNode Service(string name) => (YamlMappingNode)services[name];

    private Dictionary<string, string> Environment(string service) =>
        ((YamlMappingNode)Service(service)["environment"]).Children.ToDictionary(
            entry => ((YamlScalarNode)entry.Key).Value!,
            entry => ((YamlScalarNode)entry.Value).Value!);

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;
}
