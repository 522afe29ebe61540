using System.Globalization;

namespace Ticketing.Load;

/// <summary>
/// CPU time another process has used, from /proc/PID/stat (user + system).
/// CPU per request is far steadier than throughput on a noisy shared machine.
/// </summary>
public static class ProcessCpu
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    public static Func<TimeSpan>? Of(int? pid) => pid is { } id && File.Exists($"/proc/{id}/stat") ? () => Read(id) : null;

    private static TimeSpan Read(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
        return TimeSpan.FromSeconds(ticks / TicksPerSecond);
    }
}
