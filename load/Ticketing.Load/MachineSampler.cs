using System.Runtime.InteropServices;

namespace Ticketing.Load;

/// <summary>
/// The probe's cache-missing walk sampled every five seconds while a run
/// lasts, each sample timed in the sampling thread's own CPU time, so that
/// waiting for a core on the busy machine does not count: the memory
/// system's speed during the run (the probe before it did not predict the
/// run: other tenants change it within minutes). Every five seconds, not
/// more often: what it takes is taken from what it measures
/// (docs/performance.md).
/// </summary>
public sealed class MachineSampler : IDisposable
{
    private const int StepsPerSample = 200_000;
    private static readonly TimeSpan Every = TimeSpan.FromSeconds(5);

    private readonly List<double> samples = [];
    private readonly ManualResetEventSlim stop = new();
    private readonly Thread thread;

    private MachineSampler()
    {
        thread = new Thread(SampleUntilStopped) { IsBackground = true, Name = "machine sampler" };
        thread.Start();
    }

    /// <summary>Samples until disposed; null on a system without per-thread CPU clocks.</summary>
    public static MachineSampler? Start() => OperatingSystem.IsLinux() ? new MachineSampler() : null;

    /// <summary>The median sample, scaled to the probe's 2,000,000 steps; null before the first sample.</summary>
    public double? MedianWalkMs
    {
        get
        {
            lock (samples)
            {
                return samples.Count == 0 ? null : samples.Order().ElementAt(samples.Count / 2) * (MachineProbe.WalkSteps / (double)StepsPerSample);
            }
        }
    }

    public int Samples
    {
        get
        {
            lock (samples)
            {
                return samples.Count;
            }
        }
    }

    /// <summary>Whether the sampling thread still runs: once it has ended, no sample can be added.</summary>
    public bool IsSampling => thread.IsAlive;

    /// <summary>Stops sampling (again: nothing more); the samples stay readable.</summary>
    public void Dispose()
    {
        if (stop.IsSet)
        {
            return;
        }

        stop.Set();
        thread.Join();
    }

    private void SampleUntilStopped()
    {
        while (!stop.Wait(Every))
        {
            var started = ThreadCpuMs();
            GC.KeepAlive(MachineProbe.Walk(StepsPerSample));
            var spent = ThreadCpuMs() - started;
            lock (samples)
            {
                samples.Add(spent);
            }
        }
    }

    private static double ThreadCpuMs()
    {
        const int ThreadCpuTimeClock = 3; // CLOCK_THREAD_CPUTIME_ID
        return ClockGetTime(ThreadCpuTimeClock, out var now) == 0
            ? now.Seconds * 1_000.0 + now.Nanoseconds / 1_000_000.0
            : throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed.");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
}
