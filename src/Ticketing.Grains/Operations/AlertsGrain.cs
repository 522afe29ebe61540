using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Ticketing.Abstractions.Operations;
using Ticketing.Persistence.Operations;

namespace Ticketing.Grains.Operations;

/// <summary>Measures the invariants by reminder, keeps the last evaluation, and logs each alert that starts or stops firing.</summary>
public sealed class AlertsGrain(
    OperationsStore store, AlertGauges gauges, TimeProvider clock, IOptions<OperationsOptions> options, ILogger<AlertsGrain> logger)
    : Grain, IAlertsGrain, IRemindable
{
    /// <summary>No evaluation yet in this activation: look back as far as a missed quarter of an hour.</summary>
    private static readonly TimeSpan FirstLookBack = TimeSpan.FromMinutes(15);

    private IReadOnlyList<AlertState>? latest;
    private DateTimeOffset? lastEvaluated;

    public async Task Start()
    {
        await this.RegisterOrUpdateReminder("alerts", options.Value.AlertInterval, options.Value.AlertInterval);
        await Evaluate();
    }

    public async Task<IReadOnlyList<AlertState>> Evaluate()
    {
        var started = clock.GetUtcNow();
        var counts = await store.InvariantCountsAsync(ChangedWithin(options.Value.AlertInterval, lastEvaluated, started), CancellationToken.None);
        var revenue = await store.LatestRevenueDifferenceAsync(CancellationToken.None);
        var evaluated = Alerts.Evaluate(counts, revenue, clock.GetUtcNow());
        foreach (var alert in evaluated)
        {
            var was = latest?.FirstOrDefault(a => a.Name == alert.Name)?.Firing ?? false;
            if (alert.Firing && !was)
            {
                logger.LogError("ALERT {Alert} ({Severity}) firing: {Value} > {Threshold}; runbook {Runbook}", alert.Name, alert.Severity, alert.Value, alert.Threshold, alert.Runbook);
            }
            else if (!alert.Firing && was)
            {
                logger.LogWarning("ALERT {Alert} resolved: {Value}", alert.Name, alert.Value);
            }
        }

        latest = evaluated;
        lastEvaluated = started;
        gauges.Update(evaluated, await store.OrdersByStatusAsync(CancellationToken.None));
        return evaluated;
    }

    public async Task<IReadOnlyList<AlertState>> Latest() => latest ?? await Evaluate();

    /// <summary>
    /// How far back orders are recounted against their tickets: two intervals,
    /// or back to an interval before the last evaluation that went through when
    /// one was missed (a silo restarting, a failed run), so every changed order
    /// is recounted at least once; a quarter of an hour when this activation
    /// has not evaluated yet. The window costs the database about 8 us an order
    /// changed in it, so it is kept short in a rush.
    /// </summary>
    public static TimeSpan ChangedWithin(TimeSpan interval, DateTimeOffset? lastEvaluated, DateTimeOffset now)
    {
        var since = lastEvaluated is { } last ? now - last + interval : FirstLookBack;
        return since > 2 * interval ? since : 2 * interval;
    }

    public Task ReceiveReminder(string reminderName, TickStatus status) => Evaluate();
}
