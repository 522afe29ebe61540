using System.Globalization;

namespace Ticketing.Load;

/// <summary>
/// Where this machine's CPU goes while a run measures: the silo, PostgreSQL,
/// the Stripe emulator, this load generator, everything else, what stays
/// idle, and what the host took for other machines (steal). They all share
/// the same cores, so each one's CPU per request says where a target's
/// budget is spent; CPU per request is also far steadier than throughput on
/// a noisy shared machine. Read from /proc (Linux): each process's user and
/// system time, and the machine's idle, I/O-wait and steal time.
/// </summary>
public sealed class CpuAccount
{
    private const double TicksPerSecond = 100; // USER_HZ on Linux

    private readonly int? siloPid;
    private readonly int? emulatorPid;
    private readonly int ownPid = Environment.ProcessId;
    private readonly Dictionary<int, long> lastTicks = [];
    private readonly List<string> misses = [];

    private CpuAccount(int? siloPid, int? emulatorPid)
    {
        this.siloPid = siloPid;
        this.emulatorPid = emulatorPid;
    }

    /// <summary>Null where there is no /proc to read.</summary>
    public static CpuAccount? For(int? siloPid, int? emulatorPid) =>
        File.Exists("/proc/stat") ? new CpuAccount(siloPid, emulatorPid) : null;

    /// <summary>CPU time used so far, in clock ticks, by each process of interest and by the machine.</summary>
    public CpuReading Read()
    {
        // The named processes are read by pid: a walk of /proc can miss an entry while other processes come and go.
        long Named(int? pid) => pid is { } id ? ReadNamed(id) : 0;
        long silo = Named(siloPid), emulator = Named(emulatorPid), own = Named(ownPid), postgres = 0;
        foreach (var folder in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(folder), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && pid != siloPid && pid != emulatorPid && pid != ownPid
                && ReadProcess(pid) is ("postgres", var ticks, var reaped))
            {
                // A backend that exits (a pool closing an idle connection) is reaped by the postmaster, whose
                // children's time then holds what it used: without it the sum would fall.
                postgres += ticks + reaped;
            }
        }

        var (busy, idle, stolen) = ReadMachine();
        return new CpuReading(silo, postgres, emulator, own, busy, idle, stolen);
    }

    /// <summary>Each time a named process could not be read, and why; its last reading stood in.</summary>
    public IReadOnlyList<string> Misses => misses;

    /// <summary>What each used between two readings, per request, in microseconds of CPU; the idle and stolen shares of the machine in percent.</summary>
    public CpuPerRequest PerRequest(CpuReading start, CpuReading end, long requests)
    {
        double Micros(long ticks) => ticks / TicksPerSecond * 1e6 / Math.Max(1, requests);
        var silo = end.Silo - start.Silo;
        var postgres = end.PostgreSql - start.PostgreSql;
        var emulator = end.Emulator - start.Emulator;
        var own = end.LoadGenerator - start.LoadGenerator;
        var busy = end.Busy - start.Busy;
        var idle = end.Idle - start.Idle;
        var stolen = end.Stolen - start.Stolen;
        var all = busy + idle + stolen;
        return new CpuPerRequest(
            siloPid is null ? null : Micros(silo),
            Micros(postgres),
            emulatorPid is null ? null : Micros(emulator),
            Micros(own),
            // Processes that ended between the readings, and everything not named: kernel threads, other tenants' work here.
            Micros(Math.Max(0, busy - silo - postgres - emulator - own)),
            all > 0 ? 100.0 * idle / all : 0,
            all > 0 ? 100.0 * stolen / all : 0,
            misses.Count);
    }

    private long ReadNamed(int pid)
    {
        // A named process's CPU only grows: a read that fails (it ended, or the read was refused) keeps the last
        // reading, so a difference never goes negative, and is recorded so a run can say its figure is short.
        lastTicks.TryGetValue(pid, out var last);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var ticks = Math.Max(last, Parse(File.ReadAllText($"/proc/{pid}/stat")).Ticks);
                lastTicks[pid] = ticks;
                return ticks;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                if (attempt == 3)
                {
                    misses.Add($"process {pid}: {e.GetType().Name}: {e.Message}");
                    return last;
                }
            }
        }
    }

    private static (string Command, long Ticks, long ReapedChildrenTicks)? ReadProcess(int pid)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return null; // it ended meanwhile
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }

        return Parse(stat);
    }

    private static (string Command, long Ticks, long ReapedChildrenTicks) Parse(string stat)
    {
        // "pid (command) state ...": the command may hold spaces and parentheses; utime and stime are fields 14
        // and 15, cutime and cstime (children that ended and were waited for) 16 and 17.
        var open = stat.IndexOf('(');
        var close = stat.LastIndexOf(')');
        var fields = stat[(close + 2)..].Split(' ');
        long Field(int index) => long.Parse(fields[index], CultureInfo.InvariantCulture);
        return (stat[(open + 1)..close], Field(11) + Field(12), Field(13) + Field(14));
    }

    private static (long Busy, long Idle, long Stolen) ReadMachine()
    {
        // "cpu  user nice system idle iowait irq softirq steal guest guest_nice" (guest time is already in user;
        // steal is time this virtual machine was ready to run and the host ran another).
        using var reader = new StreamReader("/proc/stat");
        var fields = reader.ReadLine()!.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(field => long.Parse(field, CultureInfo.InvariantCulture)).ToArray();
        var idle = fields[3] + fields[4];
        var busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6];
        return (busy, idle, fields[7]);
    }
}

/// <summary>CPU clock ticks used so far: by the silo, every PostgreSQL process, the emulator, this process, and the whole machine busy, idle and stolen by the host.</summary>
public readonly record struct CpuReading(long Silo, long PostgreSql, long Emulator, long LoadGenerator, long Busy, long Idle, long Stolen);

/// <summary>CPU per request while a run measured, in microseconds, by process (null when its pid was not given), and the machine's idle and stolen shares in percent.</summary>
public sealed record CpuPerRequest(double? Silo, double PostgreSql, double? Emulator, double LoadGenerator, double Other, double IdlePercent, double StolenPercent, int MissedReads = 0)
{
    public override string ToString()
    {
        var parts = new List<string>();
        if (Silo is { } silo)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"silo {silo:0}"));
        }

        parts.Add(string.Create(CultureInfo.InvariantCulture, $"PostgreSQL {PostgreSql:0}"));
        if (Emulator is { } emulator)
        {
            parts.Add(string.Create(CultureInfo.InvariantCulture, $"Stripe emulator {emulator:0}"));
        }

        parts.Add(string.Create(CultureInfo.InvariantCulture, $"load generator {LoadGenerator:0}"));
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"other {Other:0}"));
        var total = (Silo ?? 0) + PostgreSql + (Emulator ?? 0) + LoadGenerator + Other;
        return string.Create(CultureInfo.InvariantCulture, $"{string.Join(", ", parts)} (total {total:0}) us of CPU a request; {IdlePercent:0.0} % of the machine idle, {StolenPercent:0.0} % taken by the host (steal){(MissedReads > 0 ? $"; {MissedReads} reads of a named process failed, its figure is short" : "")}");
    }
}
