using System.Diagnostics;
using System.Text.RegularExpressions;
using Ticketing.Testing;
using YamlDotNet.RepresentationModel;

namespace Ticketing.Api.Tests;

/// <summary>
/// The alerting and SLO rules in src/Ticketing.Monitoring/prometheus are checked
/// and unit-tested by promtool (found or installed by scripts/promtool.sh), and
/// read here to hold them to the alert contract that GET /api/ops/alerts and
/// docs/runbook.md share: the names, their severities, their runbook anchors.
/// </summary>
public sealed partial class PrometheusRulesTests
{
    private static readonly string Root = PostgresServer.RepositoryRoot();
    private static readonly string PrometheusFolder = Path.Combine(Root, "src", "Ticketing.Monitoring", "prometheus");
    private const string RulesFile = "ticketing.rules.yml";
    private const string RulesTestFile = "ticketing.rules.test.yml";
    private const string Runbook = "docs/runbook.md";

    private static readonly Dictionary<string, string> ExpectedSeverities = new()
    {
        ["paid_orders_missing_tickets"] = "P0",
        ["negative_ticket_availability"] = "P0",
        ["ghost_reservations_high"] = "P1",
        ["hold_expiry_lagging"] = "P1",
        ["revenue_mismatch"] = "P2",
        ["payment_without_order"] = "P1",
        ["onsale_queue_stalled"] = "P1",
    };

    // One lookup (and at most one apt-get install) for the whole class.
    private static readonly Lazy<Task<string>> Promtool = new(LocatePromtoolAsync);

    [Fact]
    public async Task Rules_PassPromtoolCheck()
    {
        await AssertPromtoolSucceedsAsync("check", "rules", RulesFile);
    }

    [Fact]
    public async Task Rules_PassTheirPromtoolUnitTests()
    {
        await AssertPromtoolSucceedsAsync("test", "rules", RulesTestFile);
    }

    [Fact]
    public async Task PrometheusConfig_PassesPromtoolCheck()
    {
        await AssertPromtoolSucceedsAsync("check", "config", "prometheus.yml");
    }

    [Fact]
    public void Alerts_AreExactlyTheContracted_WithTheirSeverities()
    {
        var severities = AlertRules().ToDictionary(rule => Scalar(rule, "alert"), rule => Scalar((YamlMappingNode)rule["labels"], "severity"));

        Assert.Equal(ExpectedSeverities.OrderBy(pair => pair.Key, StringComparer.Ordinal), severities.OrderBy(pair => pair.Key, StringComparer.Ordinal));
    }

    [Fact]
    public void Alerts_HaveSummaryDescriptionAndARunbookAnchorNamedAfterThemselves()
    {
        foreach (var rule in AlertRules())
        {
            var name = Scalar(rule, "alert");
            var annotations = (YamlMappingNode)rule["annotations"];

            Assert.False(string.IsNullOrWhiteSpace(Scalar(annotations, "summary")), $"{name} has no summary");
            Assert.False(string.IsNullOrWhiteSpace(Scalar(annotations, "description")), $"{name} has no description");
            Assert.Equal($"{Runbook}#{name}", Scalar(annotations, "runbook"));
        }
    }

    [Fact]
    public void Alerts_WaitForAConfirmingEvaluation()
    {
        // A single evaluation of a once-a-minute gauge is not enough to page on.
        foreach (var rule in AlertRules())
        {
            Assert.True(rule.Children.ContainsKey("for"), $"{Scalar(rule, "alert")} fires on its first evaluation");
        }
    }

    [Fact]
    public void RunbookAnchors_AreHeadingsInDocsRunbook()
    {
        var runbook = Path.Combine(Root, Runbook);
        Assert.True(File.Exists(runbook), $"{Runbook} does not exist yet: every alert's runbook annotation points at a heading there (## <alert name>).");

        var anchors = File.ReadLines(runbook)
            .Select(line => HeadingPattern().Match(line))
            .Where(match => match.Success)
            .Select(match => GitHubAnchor(match.Groups["text"].Value))
            .ToHashSet(StringComparer.Ordinal);

        var missing = AlertRules()
            .Select(rule => Scalar((YamlMappingNode)rule["annotations"], "runbook"))
            .Select(link => link[(link.IndexOf('#', StringComparison.Ordinal) + 1)..])
            .Where(anchor => !anchors.Contains(anchor))
            .ToList();

        Assert.True(missing.Count == 0, $"{Runbook} has no heading for: {string.Join(", ", missing)}");
    }

    private static List<YamlMappingNode> AlertRules()
    {
        var yaml = new YamlStream();
        using (var reader = File.OpenText(Path.Combine(PrometheusFolder, RulesFile)))
        {
            yaml.Load(reader);
        }

        var groups = (YamlSequenceNode)((YamlMappingNode)yaml.Documents[0].RootNode)["groups"];
        return groups
            .Cast<YamlMappingNode>()
            .SelectMany(group => ((YamlSequenceNode)group["rules"]).Cast<YamlMappingNode>())
            .Where(rule => rule.Children.ContainsKey("alert"))
            .ToList();
    }

    // GitHub's heading anchors: lower case, punctuation other than '-' and '_'
    // dropped, spaces turned into '-'.
    private static string GitHubAnchor(string heading) =>
        AnchorDroppedCharacters().Replace(heading.Trim().ToLowerInvariant(), "").Replace(' ', '-');

    private static async Task AssertPromtoolSucceedsAsync(params string[] arguments)
    {
        var promtool = await Promtool.Value;
        var (exitCode, output) = await RunAsync(promtool, arguments, PrometheusFolder);

        Assert.True(exitCode == 0, $"promtool {string.Join(' ', arguments)} exited with {exitCode}:\n{output}");
    }

    private static async Task<string> LocatePromtoolAsync()
    {
        var script = Path.Combine(Root, "scripts", "promtool.sh");
        var (exitCode, output) = await RunAsync("bash", [script], Root, separateErrors: true);
        return exitCode == 0
            ? output.Trim()
            : throw new InvalidOperationException($"{script} found no promtool ({exitCode}):\n{output}");
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, string workingDirectory, bool separateErrors = false)
    {
        var start = new ProcessStartInfo(fileName)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        // Generous: the first call may apt-get install prometheus.
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', arguments)} did not finish in 5 minutes.");
        }

        // On success only stdout is the answer; on failure both streams explain it.
        return process.ExitCode == 0 && separateErrors
            ? (process.ExitCode, await output)
            : (process.ExitCode, await output + await errors);
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex HeadingPattern();

    [GeneratedRegex(@"[^\p{L}\p{Nd}\s_-]")]
    private static partial Regex AnchorDroppedCharacters();
}
