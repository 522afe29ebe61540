using System.Diagnostics;
using System.Text.RegularExpressions;
using Ticketing.Api.Hosting;
using Ticketing.Testing;

namespace Ticketing.Api.Tests;

/// <summary>
/// The secrets this repository publishes (scripts, compose, docs) are known
/// to the silo, and outside Development it refuses to start with them.
/// </summary>
public sealed partial class DevelopmentSecretsTests
{
    private static readonly string Root = PostgresServer.RepositoryRoot();
    private static readonly string[] TopLevelFiles = ["docker-compose.yml", ".env.example", "README.md"];

    [Fact]
    public void EverySecretWrittenInTheRepository_IsKnownToTheSilo()
    {
        var published = TopLevelFiles
            .Concat(Directory.GetFiles(Path.Combine(Root, "scripts")).Select(path => Path.GetRelativePath(Root, path)))
            .Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Select(path => Path.GetRelativePath(Root, path)))
            .SelectMany(file => SecretLike().Matches(File.ReadAllText(Path.Combine(Root, file))).Select(match => (file, match.Value)))
            .ToList();

        Assert.Contains(published, found => found.file == "scripts/run.sh");
        Assert.All(published, found => Assert.True(DevelopmentSecrets.Known.Contains(found.Value), $"{found.file} publishes {found.Value}, unknown to DevelopmentSecrets"));
    }

    [Theory]
    [InlineData("Ticketing__Auth__SigningKey", "development-only-signing-key-0123456789abcdef")]
    [InlineData("Ticketing__Stripe__WebhookSecret", "whsec_development_only_0123456789abcdef")]
    public async Task Silo_InProductionWithAPublishedSecret_RefusesToStartAndSaysWhy(string key, string published)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings__Ticketing"] = "Host=127.0.0.1;Port=1;Database=none",
            ["Ticketing__Auth__SigningKey"] = "a-secret-of-this-test-only-0123456789abcdef",
            ["Ticketing__Stripe__SecretKey"] = "sk_test_x",
            ["Ticketing__Stripe__WebhookSecret"] = "whsec_of_this_test_only",
            [key] = published,
        };

        var (exitCode, errors) = await RunSiloAsync(environment);

        Assert.NotEqual(0, exitCode);
        Assert.Contains(key, errors, StringComparison.Ordinal);
        Assert.Contains("development value", errors, StringComparison.Ordinal);
    }

    private static async Task<(int ExitCode, string Errors)> RunSiloAsync(Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "Ticketing.Api.dll")])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var silo = Process.Start(start)!;
        var errors = silo.StandardError.ReadToEndAsync();
        _ = silo.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await silo.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            silo.Kill(entireProcessTree: true);
            Assert.Fail("the silo started instead of refusing");
        }

        return (silo.ExitCode, await errors);
    }

    /// <summary>Signing keys and webhook secrets as this repository writes them.</summary>
    [GeneratedRegex(@"whsec_[A-Za-z0-9_]{8,}|[a-z][a-z-]*signing-key-[a-z0-9-]+")]
    private static partial Regex SecretLike();
}
