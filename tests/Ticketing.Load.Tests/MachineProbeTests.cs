using System.Text.Json;
using Ticketing.Testing;

namespace Ticketing.Load.Tests;

/// <summary>Every result carries the machine's speed when it was measured, from work that really ran.</summary>
public sealed class MachineProbeTests
{
    /// <summary>2,000,000 steps at 5 ns, the least a step that misses the cache costs.</summary>
    private const double MinWalkMs = 10;

    [Fact]
    public void Measure_TimesBothWorkloads()
    {
        var probe = MachineProbe.Measure();

        // No core hashes 32 MB in under 5 ms (6 GB/s; the fastest do about 3),
        // and a step that misses the core's own caches takes 5 ns or more:
        // less means the work was skipped, or the walk stayed in the cache.
        Assert.True(probe.HashMs >= 5, $"hashing took {probe.HashMs} ms");
        Assert.True(probe.MemoryWalkMs >= MinWalkMs, $"the walk took {probe.MemoryWalkMs} ms");
    }

    [Fact]
    public async Task Sampler_WalksUntilDisposed_AndThenNoMore()
    {
        using var sampler = MachineSampler.Start();
        Assert.NotNull(sampler);

        // Every five seconds after building its walk; generous, for a busy machine.
        await Eventually.Value(() => Task.FromResult(sampler.Samples), samples => samples >= 2, TimeSpan.FromSeconds(45));

        sampler.Dispose();
        var taken = sampler.Samples;
        Assert.InRange(taken, 2, 3);
        // 200,000 cache-missing steps, scaled to the probe's 2,000,000.
        Assert.True(sampler.MedianWalkMs >= MinWalkMs, $"the sampled walk took {sampler.MedianWalkMs} ms");

        // Its thread has ended, so nothing more can be sampled; a second Dispose does nothing.
        Assert.False(sampler.IsSampling);
        sampler.Dispose();
        Assert.Equal(taken, sampler.Samples);
    }

    [Fact]
    public void Write_RecordsTheProbeInTheJson()
    {
        var folder = Directory.CreateTempSubdirectory("probe-").FullName;
        try
        {
            var (json, _) = RunResult.Write(folder, "probe-test", new MachineProbe(12.5, 80.25, 95.5, 10), [], ["a note"]);

            using var written = JsonDocument.Parse(File.ReadAllText(json));
            var probe = written.RootElement.GetProperty("probe");
            Assert.Equal(12.5, probe.GetProperty("hashMs").GetDouble());
            Assert.Equal(80.25, probe.GetProperty("memoryWalkMs").GetDouble());
            Assert.Equal(95.5, probe.GetProperty("duringRunWalkMs").GetDouble());
            Assert.Equal(10, probe.GetProperty("duringRunSamples").GetInt32());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
