using System.Collections.Concurrent;
using System.Diagnostics;
using HdrHistogram;
using Spectre.Console;

namespace Ticketing.Load;

/// <summary>What one step of a virtual user came to.</summary>
public readonly record struct StepOutcome(bool Ok, string? Failure = null)
{
    public static readonly StepOutcome Success = new(true);

    public static StepOutcome Failed(string cause) => new(false, cause);
}

/// <summary>How load is applied: a fixed number of users back to back, or a fixed arrival rate.</summary>
public sealed record LoadShape(int Users, double? Rate, TimeSpan Duration, TimeSpan Warmup);

/// <summary>
/// Runs a scenario's step under a load shape and measures it. Closed model:
/// each user sends its next request when the last one answered. Open model:
/// requests are due at a fixed rate whatever the answers do, and latency is
/// measured from when a request was due, so a stalled server shows as latency
/// (no coordinated omission).
/// </summary>
public static class LoadRun
{
    private static readonly long TicksPerMicrosecond = Stopwatch.Frequency / 1_000_000;

    public static async Task<RunResult> RunAsync(string name, LoadShape shape, Func<int, CancellationToken, Task<StepOutcome>> step, CpuAccount? cpu = null, SiloMetrics? silo = null)
    {
        var recorder = new Recorder();
        using var progress = StartProgress(name, shape, recorder);
        var started = Stopwatch.GetTimestamp();
        var measureFrom = started + (long)(shape.Warmup.TotalSeconds * Stopwatch.Frequency);
        var end = measureFrom + (long)(shape.Duration.TotalSeconds * Stopwatch.Frequency);

        var cpuAtStart = cpu is null ? null : At(measureFrom, () => Task.FromResult(cpu.Read()));
        var cpuAtEnd = cpu is null ? null : At(end, () => Task.FromResult(cpu.Read()));
        var gcAtStart = silo is null ? null : At(measureFrom, () => silo.ReadGcAsync());
        var gcAtEnd = silo is null ? null : At(end, () => silo.ReadGcAsync());
        if (shape.Rate is { } rate)
        {
            await RunOpen(shape.Users, rate, measureFrom, end, step, recorder);
        }
        else
        {
            await RunClosed(shape.Users, measureFrom, end, step, recorder);
        }

        var result = recorder.Result(name, shape, Stopwatch.GetElapsedTime(measureFrom, Math.Max(measureFrom, Math.Min(end, Stopwatch.GetTimestamp()))));
        if (cpu is not null && cpuAtStart is not null && cpuAtEnd is not null && result.Requests > 0)
        {
            result = result with { Cpu = cpu.PerRequest(await cpuAtStart, await cpuAtEnd, result.Requests) };
        }

        if (gcAtStart is not null && gcAtEnd is not null && await gcAtStart is { } gcStart && await gcAtEnd is { } gcEnd && result.Requests > 0)
        {
            result = result with { SiloAllocatedPerRequest = gcEnd.AllocatedSince(gcStart) / (double)result.Requests };
        }

        return result;
    }

    private static async Task<T> At<T>(long timestamp, Func<Task<T>> read)
    {
        var wait = timestamp - Stopwatch.GetTimestamp();
        if (wait > 0)
        {
            await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
        }

        return await read();
    }

    /// <summary>Every user sends one request, all released at the same moment (an on-sale).</summary>
    public static async Task<RunResult> RunOnceEachAsync(string name, int users, Func<int, CancellationToken, Task<StepOutcome>> step)
    {
        var recorder = new Recorder();
        var shape = new LoadShape(users, null, TimeSpan.Zero, TimeSpan.Zero);
        using var progress = StartProgress(name, shape, recorder);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, users).Select(async user =>
        {
            await gate.Task;
            var sent = Stopwatch.GetTimestamp();
            var outcome = await Safely(step, user, CancellationToken.None);
            recorder.Record(outcome, Stopwatch.GetTimestamp() - sent);
        }).ToArray();
        var started = Stopwatch.GetTimestamp();
        gate.SetResult();
        await Task.WhenAll(racers);
        return recorder.Result(name, shape, Stopwatch.GetElapsedTime(started));
    }

    private static async Task RunClosed(int users, long measureFrom, long end, Func<int, CancellationToken, Task<StepOutcome>> step, Recorder recorder)
    {
        using var stop = new CancellationTokenSource();
        var workers = Enumerable.Range(0, users).Select(user => Task.Run(async () =>
        {
            while (Stopwatch.GetTimestamp() < end)
            {
                var sent = Stopwatch.GetTimestamp();
                var outcome = await Safely(step, user, stop.Token);
                var answered = Stopwatch.GetTimestamp();
                if (sent >= measureFrom && answered <= end)
                {
                    recorder.Record(outcome, answered - sent);
                }
            }
        }));
        await Task.WhenAll(workers);
    }

    private static async Task RunOpen(int maxInFlight, double rate, long measureFrom, long end, Func<int, CancellationToken, Task<StepOutcome>> step, Recorder recorder)
    {
        var interval = Stopwatch.Frequency / rate;
        var first = Stopwatch.GetTimestamp();
        var inFlight = new SemaphoreSlim(maxInFlight);
        // Each user runs one step at a time, as a buyer does: a step takes a free user, not the i-th.
        var freeUsers = new ConcurrentQueue<int>(Enumerable.Range(0, maxInFlight));
        var running = new ConcurrentDictionary<long, Task>();
        for (long i = 0; ; i++)
        {
            var due = first + (long)(i * interval);
            if (due >= end)
            {
                break;
            }

            var wait = due - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }

            // A request still waiting for a free user is late, and its lateness counts.
            await inFlight.WaitAsync();
            // Never empty here: a user goes back to the queue before its slot is released.
            freeUsers.TryDequeue(out var user);
            var id = i;
            running[id] = Task.Run(async () =>
            {
                try
                {
                    var outcome = await Safely(step, user, CancellationToken.None);
                    var answered = Stopwatch.GetTimestamp();
                    if (due >= measureFrom)
                    {
                        recorder.Record(outcome, answered - due);
                    }
                }
                finally
                {
                    freeUsers.Enqueue(user);
                    inFlight.Release();
                    running.TryRemove(id, out _);
                }
            });
        }

        await Task.WhenAll(running.Values);
    }

    private static async Task<StepOutcome> Safely(Func<int, CancellationToken, Task<StepOutcome>> step, int user, CancellationToken cancellationToken)
    {
        try
        {
            return await step(user, cancellationToken);
        }
        catch (Exception exception)
        {
            return StepOutcome.Failed(exception.GetType().Name);
        }
    }

    private static Timer StartProgress(string name, LoadShape shape, Recorder recorder)
    {
        var timer = new Timer(_ => AnsiConsole.MarkupLineInterpolated(
            $"[grey]{name}: {recorder.Count} requests, {recorder.FailureCount} failed[/]"), null, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2));
        AnsiConsole.MarkupLineInterpolated(
            $"[bold]{name}[/]: {(shape.Rate is { } r ? $"{r}/s open model, up to {shape.Users} in flight" : $"{shape.Users} users, closed model")}, warm-up {shape.Warmup.TotalSeconds}s, measured {shape.Duration.TotalSeconds}s");
        return timer;
    }

    /// <summary>Latencies and outcomes of one kind of request (thread-safe).</summary>
    public sealed class Recorder
    {
        private readonly LongHistogram latency = new(TimeSpan.FromMinutes(5).Ticks / TimeSpan.TicksPerMicrosecond, 3);
        private readonly Dictionary<string, long> failures = [];
        private readonly Lock gate = new();
        private long successes;

        public long Count { get; private set; }

        public long FailureCount => Count - successes;

        public void Record(StepOutcome outcome, long elapsedTicks)
        {
            lock (gate)
            {
                Count++;
                latency.RecordValue(Math.Max(1, elapsedTicks / TicksPerMicrosecond));
                if (outcome.Ok)
                {
                    successes++;
                }
                else
                {
                    failures[outcome.Failure ?? "unknown"] = failures.GetValueOrDefault(outcome.Failure ?? "unknown") + 1;
                }
            }
        }

        public RunResult Result(string name, LoadShape shape, TimeSpan measured)
        {
            lock (gate)
            {
                double Ms(double percentile) => latency.TotalCount == 0 ? 0 : latency.GetValueAtPercentile(percentile) / 1000.0;
                return new RunResult(
                    name, shape.Users, shape.Rate, measured.TotalSeconds, Count, successes, new Dictionary<string, long>(failures),
                    Throughput: measured.TotalSeconds > 0 ? successes / measured.TotalSeconds : 0,
                    P50Ms: Ms(50), P90Ms: Ms(90), P99Ms: Ms(99), P999Ms: Ms(99.9),
                    MaxMs: latency.TotalCount == 0 ? 0 : latency.GetMaxValue() / 1000.0);
            }
        }
    }
}
