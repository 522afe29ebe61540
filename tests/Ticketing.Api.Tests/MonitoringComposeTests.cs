using System.Text.Json;
using System.Text.RegularExpressions;
using Ticketing.Testing;
using YamlDotNet.RepresentationModel;

namespace Ticketing.Api.Tests;

/// <summary>
/// Prometheus and Grafana in docker-compose.yml, checked by reading (no Docker
/// engine runs where the tests do): pinned images, the monitoring folders
/// mounted where their configuration expects them, the silo scraped where it
/// listens, and a dashboard that asks only for series that exist.
/// </summary>
public sealed partial class MonitoringComposeTests
{
    private static readonly string Root = PostgresServer.RepositoryRoot();
    private const string Monitoring = "src/Ticketing.Monitoring";
    private const string Dashboard = Monitoring + "/grafana/dashboards/ticketing-health.json";

    /// <summary>What the silo exports at GET /metrics (OpenTelemetry's Prometheus names).</summary>
    private static readonly string[] SiloMetrics =
    [
        "ticketing_paid_orders_missing_tickets",
        "ticketing_negative_ticket_availability",
        "ticketing_ghost_reservations",
        "ticketing_lagging_expired_holds",
        "ticketing_revenue_mismatch_cents",
        "ticketing_payments_without_order",
        "ticketing_onsale_queues_stalled",
        "ticketing_onsale_waiting",
        "ticketing_onsale_admitted_per_minute",
        "ticketing_onsale_wait_seconds",
        "orders_paid_total",
        "orders_fulfilled_total",
        "orders_unfulfillable_total",
        "holds_placed_total",
        "holds_released_total",
        "holds_expired_total",
        "scans_total",
        "ticket_rescans_total",
        "payment_mismatches_total",
        "disputes_opened_total",
        "webhook_events_total",
        .. Histogram("hold_expiry_lag_seconds"),
        .. Histogram("http_server_request_duration_seconds"),
    ];

    private static readonly string[] AlertGauges = SiloMetrics.Where(name => name.StartsWith("ticketing_", StringComparison.Ordinal)).ToArray();

    private readonly YamlMappingNode services;

    public MonitoringComposeTests()
    {
        services = (YamlMappingNode)LoadYaml("docker-compose.yml")["services"];
    }

    [Theory]
    [InlineData("prometheus")]
    [InlineData("grafana")]
    public void Service_ImageIsPinnedToAVersion(string service)
    {
        var image = Scalar(Service(service), "image");
        var name = image[(image.LastIndexOf('/') + 1)..];

        Assert.Matches(@":v?\d+\.\d+\.\d+$|@sha256:[0-9a-f]{64}$", name);
    }

    [Fact]
    public void Prometheus_MountsTheMonitoringFolder_WithItsConfigAndRules()
    {
        var configInContainer = PrometheusArgument("--config.file") ?? "/etc/prometheus/prometheus.yml";
        const string config = $"{Monitoring}/prometheus/prometheus.yml";

        Assert.Equal(config, HostPath(Service("prometheus"), configInContainer));
        var ruleFiles = ((YamlSequenceNode)LoadYaml(config)["rule_files"]).Select(file => ((YamlScalarNode)file).Value!).ToList();
        Assert.Equal(["ticketing.rules.yml"], ruleFiles);
        Assert.True(File.Exists(Path.Combine(Root, Monitoring, "prometheus", ruleFiles[0])));
    }

    [Fact]
    public void Prometheus_ScrapesTheSiloServiceOnItsListenPort_AtMetrics()
    {
        var config = LoadYaml($"{Monitoring}/prometheus/prometheus.yml");
        var siloTarget = $"silo:{SiloListenPort()}";

        var jobs = ((YamlSequenceNode)config["scrape_configs"]).Cast<YamlMappingNode>().ToList();

        Assert.Contains(siloTarget, jobs.SelectMany(Targets));
        var job = jobs.Single(scrape => Targets(scrape).Contains(siloTarget));
        Assert.Equal("/metrics", OptionalScalar(job, "metrics_path") ?? "/metrics");
        Assert.Equal("http", OptionalScalar(job, "scheme") ?? "http");
        Assert.Equal("15s", OptionalScalar(job, "scrape_interval") ?? Scalar((YamlMappingNode)config["global"], "scrape_interval"));
    }

    [Fact]
    public void Grafana_MountsProvisioningAndTheDashboardsItsProviderReads()
    {
        var grafana = Service("grafana");
        var provider = ((YamlSequenceNode)LoadYaml($"{Monitoring}/grafana/provisioning/dashboards/dashboards.yml")["providers"])
            .Cast<YamlMappingNode>().Single();
        var providerPath = Scalar((YamlMappingNode)provider["options"], "path");

        Assert.Equal($"{Monitoring}/grafana/provisioning", HostPath(grafana, "/etc/grafana/provisioning"));
        Assert.Equal($"{Monitoring}/grafana/dashboards", HostPath(grafana, providerPath));
    }

    [Fact]
    public void Grafana_DataSourceIsThePrometheusService()
    {
        var dataSource = ((YamlSequenceNode)LoadYaml($"{Monitoring}/grafana/provisioning/datasources/prometheus.yml")["datasources"])
            .Cast<YamlMappingNode>().Single();
        var url = new Uri(Scalar(dataSource, "url"));

        Assert.Equal("prometheus", Scalar(dataSource, "type"));
        Assert.True(services.Children.ContainsKey(url.Host), $"no service named {url.Host}");
        Assert.Equal(new Uri("http://" + (PrometheusArgument("--web.listen-address") ?? "0.0.0.0:9090")).Port, url.Port);
        Assert.All(DashboardDataSourceUids(), uid => Assert.Equal(Scalar(dataSource, "uid"), uid));
    }

    [Fact]
    public void Dashboard_NamesOnlyMetricsTheSiloExportsOrTheRulesRecord()
    {
        var known = SiloMetrics.Concat(RecordedNames()).ToHashSet(StringComparer.Ordinal);
        var expressions = DashboardExpressions().ToList();

        Assert.NotEmpty(expressions);
        var unknown = expressions
            .SelectMany(expr => MetricNames(expr).Where(name => !known.Contains(name)).Select(name => $"{name} in {expr}"))
            .ToList();
        Assert.True(unknown.Count == 0, "unknown series: " + string.Join("; ", unknown));
    }

    [Fact]
    public void Dashboard_IsTicketingHealth_WithEverySloAndAlertGauge()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, Dashboard)));
        var shown = DashboardExpressions().SelectMany(MetricNames).ToHashSet(StringComparer.Ordinal);

        Assert.Equal("Ticketing health", dashboard.RootElement.GetProperty("title").GetString());
        Assert.All(RecordedNames(), slo => Assert.Contains(slo, shown));
        Assert.All(AlertGauges, gauge => Assert.Contains(gauge, shown));
        Assert.All(
            ["holds_placed_total", "holds_expired_total", "orders_paid_total", "orders_fulfilled_total", "orders_unfulfillable_total", "scans_total"],
            metric => Assert.Contains(metric, shown));
    }

    [Theory]
    [InlineData("sum by (result) (rate(scans_total{job=\"silo\"}[$__rate_interval]))", "scans_total")]
    [InlineData("histogram_quantile(0.95, sum by (le, http_route) (rate(http_server_request_duration_seconds_bucket{http_route=~\"/api/orders/\\\\{orderId:guid\\\\}\"}[5m])))", "http_server_request_duration_seconds_bucket")]
    [InlineData("max(slo:ghost_reservations:max) > bool 5 or on() vector(0)", "slo:ghost_reservations:max")]
    [InlineData("sum(increase(orders_fulfilled_total[1h] offset 1d)) / sum(increase(orders_paid_total[1h]))", "orders_fulfilled_total orders_paid_total")]
    public void MetricNames_ReadsOnlyTheSeriesOfAnExpression(string expr, string expected)
    {
        Assert.Equal(expected.Split(' '), MetricNames(expr));
    }

    /// <summary>
    /// The metric names an expression selects: what is left once strings, label
    /// matchers, ranges, grouping clauses, function calls and keywords are gone.
    /// </summary>
    private static IEnumerable<string> MetricNames(string expr)
    {
        var bare = StringLiteral().Replace(expr, "\"\"");
        bare = LabelMatchers().Replace(bare, " ");
        bare = Ranges().Replace(bare, " ");
        bare = GroupingClause().Replace(bare, " ");
        return Identifier().Matches(bare)
            .Select(match => match.Value)
            .Where(name => !Keywords.Contains(name))
            .Distinct(StringComparer.Ordinal);
    }

    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan", "atan2",
    };

    private static List<string> DashboardExpressions()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, Dashboard)));
        return Panels(dashboard.RootElement)
            .Where(panel => panel.TryGetProperty("targets", out _))
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray())
            .Where(target => target.TryGetProperty("expr", out _))
            .Select(target => target.GetProperty("expr").GetString()!)
            .ToList();
    }

    private static List<string> DashboardDataSourceUids()
    {
        using var dashboard = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, Dashboard)));
        return Panels(dashboard.RootElement)
            .Where(panel => panel.TryGetProperty("targets", out _))
            .SelectMany(panel => panel.GetProperty("targets").EnumerateArray().Append(panel))
            .Select(element => element.GetProperty("datasource").GetProperty("uid").GetString()!)
            .ToList();
    }

    // Rows may hold their panels inside themselves when collapsed.
    private static IEnumerable<JsonElement> Panels(JsonElement container) =>
        container.TryGetProperty("panels", out var panels)
            ? panels.EnumerateArray().SelectMany(panel => Panels(panel).Prepend(panel))
            : [];

    private static List<string> RecordedNames() =>
        ((YamlSequenceNode)LoadYaml($"{Monitoring}/prometheus/ticketing.rules.yml")["groups"])
            .Cast<YamlMappingNode>()
            .SelectMany(group => ((YamlSequenceNode)group["rules"]).Cast<YamlMappingNode>())
            .Where(rule => rule.Children.ContainsKey("record"))
            .Select(rule => Scalar(rule, "record"))
            .ToList();

    private static IEnumerable<string> Targets(YamlMappingNode scrapeConfig) =>
        ((YamlSequenceNode)scrapeConfig["static_configs"]).Cast<YamlMappingNode>()
            .SelectMany(group => (YamlSequenceNode)group["targets"])
            .Select(target => ((YamlScalarNode)target).Value!);

    private static string[] Histogram(string name) => [$"{name}_bucket", $"{name}_sum", $"{name}_count"];

    private int SiloListenPort()
    {
        var urls = ((YamlScalarNode)((YamlMappingNode)Service("silo")["environment"])["ASPNETCORE_URLS"]).Value!;
        return new Uri(urls.Replace("+", "localhost", StringComparison.Ordinal)).Port;
    }

    private string? PrometheusArgument(string flag) =>
        ((YamlSequenceNode)Service("prometheus")["command"])
            .Select(argument => ((YamlScalarNode)argument).Value!)
            .Where(argument => argument.StartsWith(flag + "=", StringComparison.Ordinal))
            .Select(argument => argument[(flag.Length + 1)..])
            .SingleOrDefault();

    /// <summary>
    /// The repository path behind a container path, through the service's bind
    /// mounts (short syntax, host:container[:mode]); null when none covers it.
    /// </summary>
    private static string? HostPath(YamlMappingNode service, string containerPath)
    {
        foreach (var volume in ((YamlSequenceNode)service["volumes"]).Select(node => ((YamlScalarNode)node).Value!))
        {
            var parts = volume.Split(':');
            if (!parts[0].StartsWith("./", StringComparison.Ordinal))
            {
                continue; // a named volume
            }

            var host = parts[0][2..].TrimEnd('/');
            var target = parts[1].TrimEnd('/');
            if (containerPath == target)
            {
                return host;
            }

            if (containerPath.StartsWith(target + "/", StringComparison.Ordinal))
            {
                return host + containerPath[target.Length..];
            }
        }

        return null;
    }

    private YamlMappingNode Service(string name) => (YamlMappingNode)services[name];

    private static YamlMappingNode LoadYaml(string relativePath)
    {
        var yaml = new YamlStream();
        using var reader = File.OpenText(Path.Combine(Root, relativePath));
        yaml.Load(reader);
        return (YamlMappingNode)yaml.Documents[0].RootNode;
    }

    private static string Scalar(YamlMappingNode node, string key) => ((YamlScalarNode)node[key]).Value!;

    private static string? OptionalScalar(YamlMappingNode node, string key) =>
        node.Children.TryGetValue(key, out var value) ? ((YamlScalarNode)value).Value : null;

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"|'(?:[^'\\\\]|\\\\.)*'|`[^`]*`")]
    private static partial Regex StringLiteral();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex LabelMatchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex GroupingClause();

    // A whole name (atomic, so "rate(" does not yield "rat"), not glued to a
    // number or a $variable, and not a call.
    [GeneratedRegex(@"(?<![\w:.$])(?>[a-zA-Z_:][\w:]*)(?!\s*\()")]
    private static partial Regex Identifier();
}
