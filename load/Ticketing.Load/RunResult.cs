using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Ticketing.Load;

/// <summary>The figures of one measured run.</summary>
public sealed record RunResult(
    string Name,
    int Users,
    double? Rate,
    double Seconds,
    long Requests,
    long Successes,
    Dictionary<string, long> Failures,
    double Throughput,
    double P50Ms,
    double P90Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs)
{
    /// <summary>Where the machine's CPU went per request while measuring (Linux only).</summary>
    public CpuPerRequest? Cpu { get; init; }

    /// <summary>Bytes the silo allocated per request while measuring, when its metrics were read: what sets how often it collects.</summary>
    public double? SiloAllocatedPerRequest { get; init; }

    /// <summary>How many users (buyers, gates) the virtual users acted as, when they took turns (<see cref="Identities{T}"/>).</summary>
    public int? Identities { get; init; }

    /// <summary>
    /// Requests refused by the silo's rate limits. Every scenario keeps each
    /// identity under the silo's default limits, so any is a regression: of
    /// the limits, or of the pacing.
    /// </summary>
    public long RateLimited => Failures.Where(failure => failure.Key.Contains("429", StringComparison.Ordinal)).Sum(failure => failure.Value);

    /// <summary>The silo's share of <see cref="Cpu"/>, when its pid was given.</summary>
    public double? ServerCpuMicrosPerRequest => Cpu?.Silo;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { WriteIndented = true };

    public static void Print(IReadOnlyList<RunResult> results, IReadOnlyList<string> notes)
    {
        var table = new Table().AddColumns("run", "users", "requests", "ok", "failed (by cause)", "ok/s", "p50 ms", "p90 ms", "p99 ms", "p99.9 ms", "max ms", "silo CPU us/req");
        foreach (var r in results)
        {
            table.AddRow(
                r.Name, r.Users.ToString(CultureInfo.InvariantCulture), r.Requests.ToString(CultureInfo.InvariantCulture),
                r.Successes.ToString(CultureInfo.InvariantCulture), Markup.Escape(r.FailureText()), F(r.Throughput, "0"),
                F(r.P50Ms), F(r.P90Ms), F(r.P99Ms), F(r.P999Ms), F(r.MaxMs), r.ServerCpuMicrosPerRequest is { } cpu ? F(cpu, "0") : "-");
        }

        AnsiConsole.Write(table);
        foreach (var note in notes)
        {
            AnsiConsole.MarkupLine(Markup.Escape(note));
        }
    }

    /// <summary>Writes the same figures as JSON and Markdown; answers the two paths.</summary>
    public static (string Json, string Markdown) Write(
        string directory, string scenario, MachineProbe probe, IReadOnlyList<RunResult> results, IReadOnlyList<string> notes)
    {
        Directory.CreateDirectory(directory);
        var stem = Path.Combine(directory, $"{DateTime.UtcNow:yyyyMMdd-HHmmss}-{scenario}");
        File.WriteAllText(stem + ".json", JsonSerializer.Serialize(new { scenario, machine = Machine(), probe, results, notes }, Json));

        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"### {scenario} ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Machine()})");
        md.AppendLine();
        md.AppendLine("| run | users | requests | ok | failed | ok/s | p50 ms | p90 ms | p99 ms | p99.9 ms | max ms | silo CPU us/req |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var r in results)
        {
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Name} | {r.Users} | {r.Requests} | {r.Successes} | {r.FailureText()} | {F(r.Throughput, "0")} | {F(r.P50Ms)} | {F(r.P90Ms)} | {F(r.P99Ms)} | {F(r.P999Ms)} | {F(r.MaxMs)} | {(r.ServerCpuMicrosPerRequest is { } cpu ? F(cpu, "0") : "-")} |");
        }

        md.AppendLine();
        foreach (var note in notes)
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        }

        File.WriteAllText(stem + ".md", md.ToString());
        return (stem + ".json", stem + ".md");
    }

    private string FailureText() =>
        Failures.Count == 0 ? "0" : string.Join(", ", Failures.OrderByDescending(f => f.Value).Select(f => $"{f.Key}: {f.Value}"));

    private static string Machine() => $"{Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}, .NET {Environment.Version}";

    private static string F(double value, string format = "0.00") => value.ToString(format, CultureInfo.InvariantCulture);
}
