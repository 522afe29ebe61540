using System.Diagnostics.Metrics;
using Ticketing.Abstractions.Operations;
using Ticketing.Grains.Tiers;
using Ticketing.Persistence.Operations;

namespace Ticketing.Grains.Operations;

/// <summary>
/// The last alert evaluation as Prometheus gauges (<c>ticketing_*</c>), and the
/// orders with work still ahead by status, and each on-sale's waiting room;
/// the Prometheus rules alert on them.
/// </summary>
public sealed class AlertGauges
{
    private volatile IReadOnlyList<AlertState> alerts = [];
    private volatile IReadOnlyDictionary<string, long> ordersByStatus = new Dictionary<string, long>();
    private volatile IReadOnlyList<OnSaleQueueMeasure> queues = [];

    public AlertGauges(IMeterFactory meters)
    {
        var meter = meters.Create(TierMetrics.MeterName);
        foreach (var (alert, gauge) in Alerts.GaugeNames)
        {
            meter.CreateObservableGauge(gauge, () => alerts.FirstOrDefault(a => a.Name == alert)?.Value ?? 0, description: $"The {alert} alert's measure.");
        }

        meter.CreateObservableGauge(
            "ticketing_orders",
            () => ordersByStatus.Select(p => new Measurement<long>(p.Value, new KeyValuePair<string, object?>("status", p.Key))),
            description: "Orders with work still ahead (awaiting payment, payment failed, paid, unfulfillable and not refunded) by status, as of the last alert evaluation.");
        meter.CreateObservableGauge(
            "ticketing_onsale_waiting", () => ByEvent(queue => queue.Waiting),
            description: "Buyers in an on-sale's waiting room not yet admitted, by event, as of the last alert evaluation.");
        meter.CreateObservableGauge(
            "ticketing_onsale_admitted_per_minute", () => ByEvent(queue => queue.AdmittedLastMinute),
            description: "Buyers an on-sale admitted in the minute before the last alert evaluation, by event.");
        meter.CreateObservableGauge(
            "ticketing_onsale_wait_seconds", () => ByEvent(queue => queue.ExpectedWaitSeconds),
            description: "How long a buyer joining an on-sale's waiting room now would wait at its configured rate, by event.");
    }

    public void Update(IReadOnlyList<AlertState> evaluated, IReadOnlyDictionary<string, long> orders, IReadOnlyList<OnSaleQueueMeasure> onSaleQueues)
    {
        alerts = evaluated;
        ordersByStatus = orders;
        queues = onSaleQueues;
    }

    private IEnumerable<Measurement<double>> ByEvent(Func<OnSaleQueueMeasure, double> measure) =>
        queues.Select(queue => new Measurement<double>(measure(queue), new KeyValuePair<string, object?>("event", queue.EventId.ToString())));
}
