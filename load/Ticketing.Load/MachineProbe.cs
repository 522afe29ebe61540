using System.Diagnostics;
using System.Security.Cryptography;

namespace Ticketing.Load;

/// <summary>
/// How fast the machine is at the time of a run. A shared machine's speed
/// moves within the hour (docs/performance.md, "The machine"), so a run's
/// figures compare with another's only beside this.
/// Two fixed single-threaded workloads, each the best of three: hashing
/// (the core's own speed) and a walk that misses the cache at every step (what
/// the silo and PostgreSQL mostly wait on). Lower is faster.
/// </summary>
public sealed record MachineProbe(double HashMs, double MemoryWalkMs, double? DuringRunWalkMs = null, int DuringRunSamples = 0)
{
    private const int HashedBytes = 32 << 20;
    private const int WalkedSlots = 8 << 20;
    internal const int WalkSteps = 2_000_000;

    /// <summary>The walk's 32 MB, built once for the probe and the sampler.</summary>
    private static readonly Lazy<int[]> Cycle = new(() => OneCycle(WalkedSlots));

    public static MachineProbe Measure()
    {
        var data = new byte[HashedBytes];
        Random.Shared.NextBytes(data);
        return new MachineProbe(
            Best(() => SHA256.HashData(data)),
            Best(() => GC.KeepAlive(Walk(WalkSteps))));
    }

    public override string ToString() => FormattableString.Invariant(
        $"probe: hash {HashMs:0.0} ms, memory walk {MemoryWalkMs:0.0} ms before the run, {DuringRunWalkMs:0.0} ms during it (median of {DuringRunSamples} samples; lower is faster)");

    private static double Best(Action work)
    {
        var best = double.MaxValue;
        for (var i = 0; i < 3; i++)
        {
            var started = Stopwatch.GetTimestamp();
            work();
            best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }

        return best;
    }

    /// <summary>A random permutation that is one cycle (Sattolo's algorithm), so the walk visits slots in no order the cache can guess.</summary>
    private static int[] OneCycle(int slots)
    {
        var next = new int[slots];
        for (var i = 0; i < slots; i++)
        {
            next[i] = i;
        }

        var random = new Random(7);
        for (var i = slots - 1; i > 0; i--)
        {
            var j = random.Next(i);
            (next[i], next[j]) = (next[j], next[i]);
        }

        return next;
    }

    internal static int Walk(int steps)
    {
        var next = Cycle.Value;
        var at = 0;
        for (var i = 0; i < steps; i++)
        {
            at = next[at];
        }

        return at;
    }
}
