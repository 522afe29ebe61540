using System.Globalization;

namespace Ticketing.Load;

/// <summary>
/// How long the silo itself took over holds (<c>POST /api/holds/</c>), from
/// ASP.NET Core's <c>http.server.request.duration</c> histogram, every answer
/// together: from the request's first middleware to its answer written,
/// without the time a request waits in the kernel or for a thread before it
/// is read. Beside the harness's own timing, it says how much of a hold's
/// time the silo's work took.
/// </summary>
public sealed record SiloHoldTimes(IReadOnlyDictionary<double, double> Cumulative)
{
    private const string Series = "http_server_request_duration_seconds_bucket{";

    /// <summary>Holds timed.</summary>
    public double Count => Cumulative.TryGetValue(double.PositiveInfinity, out var all) ? all : 0;

    public static SiloHoldTimes FromMetrics(string metrics)
    {
        var cumulative = new Dictionary<double, double>();
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith(Series, StringComparison.Ordinal)
                || !line.Contains("http_route=\"/api/holds/\"", StringComparison.Ordinal)
                || !line.Contains("http_request_method=\"POST\"", StringComparison.Ordinal)
                || Label(line, "le") is not { } bound
                || Value(line) is not { } count)
            {
                continue;
            }

            var le = bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, NumberStyles.Float, CultureInfo.InvariantCulture);
            cumulative[le] = cumulative.GetValueOrDefault(le) + count;
        }

        return new SiloHoldTimes(cumulative);
    }

    /// <summary>The holds timed after <paramref name="earlier"/>.</summary>
    public SiloHoldTimes Since(SiloHoldTimes earlier) =>
        new(Cumulative.ToDictionary(pair => pair.Key, pair => pair.Value - earlier.Cumulative.GetValueOrDefault(pair.Key)));

    /// <summary>The upper bound of the bucket the 99th percentile falls in; null without holds.</summary>
    public double? P99AtMostSeconds()
    {
        var count = Count;
        return count <= 0 ? null : Cumulative.Where(pair => pair.Value >= 0.99 * count).Min(pair => pair.Key);
    }

    /// <summary>The share of holds done within <paramref name="seconds"/> (a bucket's bound); null without holds.</summary>
    public double? ShareWithin(double seconds) =>
        Count <= 0 ? null : Cumulative.GetValueOrDefault(seconds) / Count;

    public override string ToString()
    {
        if (P99AtMostSeconds() is not { } p99 || ShareWithin(0.025) is not { } within)
        {
            return "no holds";
        }

        var bound = double.IsPositiveInfinity(p99) ? "above the largest bucket" : string.Create(CultureInfo.InvariantCulture, $"at most {p99 * 1000:0} ms");
        return string.Create(CultureInfo.InvariantCulture, $"p99 {bound} over {Count:0}, {within:0.0%} within 25 ms");
    }

    private static string? Label(string line, string name)
    {
        var start = line.IndexOf($"{name}=\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        start += name.Length + 2;
        var end = line.IndexOf('"', start);
        return end < 0 ? null : line[start..end];
    }

    private static double? Value(string line)
    {
        var close = line.LastIndexOf('}');
        return close >= 0 && double.TryParse(line[(close + 1)..].Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }
}
