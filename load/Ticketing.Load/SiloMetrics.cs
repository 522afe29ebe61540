using System.Globalization;

namespace Ticketing.Load;

/// <summary>
/// The silo from outside: its resident set from <c>/proc</c> (when its pid is
/// known and it runs on this machine), and from its Prometheus metrics the
/// managed heap as the runtime last measured it at a collection
/// (<c>dotnet_gc_last_collection_heap_size_bytes</c>, summed over the
/// generations), its collections, its thread pool, and its own timing of holds.
/// </summary>
/// <remarks>A test passes <paramref name="handler"/> to read an in-process silo's metrics.</remarks>
public sealed class SiloMetrics(Uri target, int? siloPid, HttpMessageHandler? handler = null) : IDisposable
{
    private const string HeapSeries = "dotnet_gc_last_collection_heap_size_bytes";

    private readonly HttpClient http = new(handler ?? new SocketsHttpHandler(), disposeHandler: handler is null)
    {
        BaseAddress = target,
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>The resident set and the managed heap now.</summary>
    public async Task<MemoryReading> ReadMemoryAsync(CancellationToken cancellationToken = default) =>
        new(ResidentBytes(), await HeapBytesAsync(cancellationToken));

    /// <summary>VmRSS of the silo; null without its pid or /proc.</summary>
    public long? ResidentBytes()
    {
        if (siloPid is not { } pid)
        {
            return null;
        }

        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                // "VmRSS:	  123456 kB"
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The silo ended.
        }

        return null;
    }

    /// <summary>The silo's collections and pause time so far; null when its metrics could not be read.</summary>
    public async Task<GcReading?> ReadGcAsync(CancellationToken cancellationToken = default) =>
        await MetricsAsync(cancellationToken) is { } text ? GcFromMetrics(text) : null;

    private async Task<long?> HeapBytesAsync(CancellationToken cancellationToken) =>
        await MetricsAsync(cancellationToken) is { } text ? HeapFromMetrics(text) : null;

    private async Task<string?> MetricsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await http.GetStringAsync("/metrics", cancellationToken);
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    /// <summary>
    /// <c>dotnet_gc_collections_total</c> by generation,
    /// <c>dotnet_gc_pause_time_seconds_total</c> and
    /// <c>dotnet_gc_heap_total_allocated_bytes_total</c>, as the runtime counts them.
    /// </summary>
    public static GcReading GcFromMetrics(string metrics)
    {
        long gen0 = 0, gen1 = 0, gen2 = 0, allocated = 0;
        double paused = 0;
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith("dotnet_gc_collections_total", StringComparison.Ordinal) && SampleValue(line) is { } count)
            {
                if (line.Contains("\"gen0\"", StringComparison.Ordinal)) gen0 = (long)count;
                else if (line.Contains("\"gen1\"", StringComparison.Ordinal)) gen1 = (long)count;
                else if (line.Contains("\"gen2\"", StringComparison.Ordinal)) gen2 = (long)count;
            }
            else if (line.StartsWith("dotnet_gc_pause_time_seconds_total", StringComparison.Ordinal) && SampleValue(line) is { } seconds)
            {
                paused = seconds;
            }
            else if (line.StartsWith("dotnet_gc_heap_total_allocated_bytes_total", StringComparison.Ordinal) && SampleValue(line) is { } bytes)
            {
                allocated = (long)bytes;
            }
        }

        return new GcReading(gen0, gen1, gen2, paused, allocated);
    }

    /// <summary>A sample line's value: "name{labels} value [timestamp]", or "name value [timestamp]".</summary>
    private static double? SampleValue(string line)
    {
        var afterName = line.LastIndexOf('}') is var close and >= 0 ? line[(close + 1)..]
            : line.IndexOf(' ') is var space and >= 0 ? line[space..] : "";
        return double.TryParse(afterName.Trim().Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    /// <summary>The heap's generations at the last collection, summed; null when the series is absent.</summary>
    public static long? HeapFromMetrics(string metrics)
    {
        long? sum = null;
        foreach (var line in metrics.Split('\n'))
        {
            if (!line.StartsWith(HeapSeries, StringComparison.Ordinal) || line.Length <= HeapSeries.Length || line[HeapSeries.Length] is not ('{' or ' '))
            {
                continue;
            }

            if (SampleValue(line) is { } bytes)
            {
                sum = (sum ?? 0) + (long)bytes;
            }
        }

        return sum;
    }

    /// <summary>Work items waiting in the silo's thread pool now, and its threads; each null when it could not be read.</summary>
    public async Task<(long? Queued, long? Threads)> ReadThreadPoolAsync(CancellationToken cancellationToken = default) =>
        await MetricsAsync(cancellationToken) is { } text
            ? (ThreadPoolQueueFromMetrics(text), UpDownFromMetrics(text, "dotnet_thread_pool_thread_count"))
            : (null, null);

    /// <summary><c>dotnet_thread_pool_queue_length</c>; null when the series is absent.</summary>
    public static long? ThreadPoolQueueFromMetrics(string metrics) => UpDownFromMetrics(metrics, "dotnet_thread_pool_queue_length");

    /// <summary>An up-down counter's value (exported with <c>_total</c>); null when the series is absent.</summary>
    private static long? UpDownFromMetrics(string metrics, string series)
    {
        foreach (var line in metrics.Split('\n'))
        {
            if ((line.StartsWith(series + "_total", StringComparison.Ordinal) || line.StartsWith(series + "{", StringComparison.Ordinal))
                && SampleValue(line) is { } value)
            {
                return (long)value;
            }
        }

        return null;
    }

    /// <summary>What the silo's JIT has compiled so far; null when its metrics could not be read.</summary>
    public async Task<JitReading?> ReadJitAsync(CancellationToken cancellationToken = default) =>
        await MetricsAsync(cancellationToken) is { } text ? JitFromMetrics(text) : null;

    /// <summary>
    /// <c>dotnet_jit_compiled_methods_total</c> and <c>dotnet_jit_compilation_time_seconds_total</c>:
    /// every compilation counts, a method promoted to a higher tier again. Null when the series are absent.
    /// </summary>
    public static JitReading? JitFromMetrics(string metrics)
    {
        long? methods = null;
        double? seconds = null;
        foreach (var line in metrics.Split('\n'))
        {
            if (line.StartsWith("dotnet_jit_compiled_methods_total", StringComparison.Ordinal) && SampleValue(line) is { } count)
            {
                methods = (long)count;
            }
            else if (line.StartsWith("dotnet_jit_compilation_time_seconds_total", StringComparison.Ordinal) && SampleValue(line) is { } time)
            {
                seconds = time;
            }
        }

        return methods is { } compiled && seconds is { } compiling ? new JitReading(compiled, compiling) : null;
    }

    /// <summary>The silo's own timing of holds so far; null when its metrics could not be read.</summary>
    public async Task<SiloHoldTimes?> ReadHoldTimesAsync(CancellationToken cancellationToken = default) =>
        await MetricsAsync(cancellationToken) is { } text ? SiloHoldTimes.FromMetrics(text) : null;

    public void Dispose() => http.Dispose();
}

/// <summary>The silo's resident set and managed heap in bytes, each null when it could not be read.</summary>
public readonly record struct MemoryReading(long? ResidentBytes, long? HeapBytes)
{
    /// <summary>Bytes each of <paramref name="count"/> added things took between two readings, by resident set and by heap.</summary>
    public (double? Resident, double? Heap) PerThing(MemoryReading before, long count) =>
        count <= 0 ? (null, null) : (
            ResidentBytes - before.ResidentBytes is { } resident ? resident / (double)count : null,
            HeapBytes - before.HeapBytes is { } heap ? heap / (double)count : null);

    /// <summary>
    /// "resident set ... ; managed heap ..." from <paramref name="before"/> to this reading, a waiting
    /// buyer's share of each and a million buyers' worth.
    /// </summary>
    public string PerWaitingBuyer(MemoryReading before, long count)
    {
        var (resident, heap) = PerThing(before, count);
        static string Bytes(double? perBuyer, long? from, long? to) => perBuyer is { } b
            ? string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"{b:0} bytes a waiting buyer ({from / 1048576.0:0} to {to / 1048576.0:0} MiB; a million: {b * 1e6 / 1073741824:0.00} GiB)")
            : "not read";
        return $"resident set {Bytes(resident, before.ResidentBytes, ResidentBytes)}; managed heap at the last collection {Bytes(heap, before.HeapBytes, HeapBytes)}";
    }
}

/// <summary>Methods the silo's JIT has compiled so far, and the time it spent compiling them.</summary>
public readonly record struct JitReading(long Methods, double Seconds)
{
    /// <summary>"n methods compiled, s of compiling" from <paramref name="before"/> to this reading.</summary>
    public string Since(JitReading before) =>
        string.Create(CultureInfo.InvariantCulture, $"{Methods - before.Methods} methods compiled, {(Seconds - before.Seconds) * 1000:0} ms of compiling");
}

/// <summary>The silo's garbage collections so far, by the generation collected, and the time its threads were paused for them.</summary>
public readonly record struct GcReading(long Gen0, long Gen1, long Gen2, double PausedSeconds, long AllocatedBytes = 0)
{
    /// <summary>
    /// "n collections (gen0/gen1/gen2), s paused: x % of the time, y ms a
    /// collection; m MB allocated, r MB/s" from <paramref name="before"/> to
    /// this reading: what is allocated sets how often the silo collects.
    /// </summary>
    public string Since(GcReading before, TimeSpan elapsed)
    {
        var collections = Gen0 + Gen1 + Gen2 - before.Gen0 - before.Gen1 - before.Gen2;
        var paused = PausedSeconds - before.PausedSeconds;
        var allocatedMb = AllocatedSince(before) / 1e6;
        return string.Create(CultureInfo.InvariantCulture,
            $"{collections} collections ({Gen0 - before.Gen0} gen0, {Gen1 - before.Gen1} gen1, {Gen2 - before.Gen2} gen2), {paused:0.00} s paused: {paused / elapsed.TotalSeconds:0.0%} of {elapsed.TotalSeconds:0} s, {(collections > 0 ? paused * 1000 / collections : 0):0} ms a collection; {allocatedMb:0} MB allocated, {allocatedMb / elapsed.TotalSeconds:0.0} MB/s");
    }

    public long AllocatedSince(GcReading before) => AllocatedBytes - before.AllocatedBytes;
}
