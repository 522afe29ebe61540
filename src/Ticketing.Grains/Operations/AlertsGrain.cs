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
    private IReadOnlyList<AlertState>? latest;

    public async Task Start()
    {
        await this.RegisterOrUpdateReminder("alerts", options.Value.AlertInterval, options.Value.AlertInterval);
        await Evaluate();
    }

    public async Task<IReadOnlyList<AlertState>> Evaluate()
    {
        var counts = await store.InvariantCountsAsync(CancellationToken.None);
        var revenue = await store.LatestRevenueDifferenceAsync(CancellationToken.None);
        var queues = await store.OnSaleQueuesAsync(CancellationToken.None);
        var evaluated = Alerts.Evaluate(counts, revenue, queues.Count(queue => queue.Stalled), clock.GetUtcNow());
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
        gauges.Update(evaluated, await store.OpenOrdersByStatusAsync(CancellationToken.None), queues);
        return evaluated;
    }

    public async Task<IReadOnlyList<AlertState>> Latest() => latest ?? await Evaluate();

    public Task ReceiveReminder(string reminderName, TickStatus status) => Evaluate();
}
