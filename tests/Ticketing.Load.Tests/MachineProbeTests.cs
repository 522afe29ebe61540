using System.Text.Json;

namespace Ticketing.Load.Tests;

/// <summary>Every result carries the machine's speed when it was measured, from work that really ran.</summary>
public sealed class MachineProbeTests
{
    [Fact]
    public void Measure_TimesBothWorkloads()
    {
        var probe = MachineProbe.Measure();

        // 32 MB hashed and 2,000,000 cache-missing steps take milliseconds on any machine; nothing means the work was skipped.
        Assert.InRange(probe.HashMs, 1, 10_000);
        Assert.InRange(probe.MemoryWalkMs, 1, 10_000);
    }

    [Fact]
    public async Task Sampler_WalksUntilDisposed_AndThenNoMore()
    {
        using var sampler = MachineSampler.Start();
        Assert.NotNull(sampler);

        // Every five seconds after building its walk; generous, for a busy machine.
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (sampler.Samples < 2 && waited.Elapsed < TimeSpan.FromSeconds(45))
        {
            await Task.Delay(100);
        }

        sampler.Dispose();
        var taken = sampler.Samples;
        Assert.InRange(taken, 2, 3);
        // 200,000 cache-missing steps, scaled to the probe's 2,000,000.
        Assert.InRange(sampler.MedianWalkMs!.Value, 1, 10_000);

        await Task.Delay(TimeSpan.FromSeconds(5.5));
        sampler.Dispose(); // a second time: nothing more
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
