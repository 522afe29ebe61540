using System.Diagnostics.Metrics;
using Ticketing.Abstractions.Operations;
using Ticketing.Grains.Tiers;

namespace Ticketing.Grains.Operations;

/// <summary>
/// The last alert evaluation as Prometheus gauges (<c>ticketing_*</c>), and the
/// orders with work still ahead by status; the Prometheus rules alert on them.
/// </summary>
public sealed class AlertGauges
{
    private volatile IReadOnlyList<AlertState> alerts = [];
    private volatile IReadOnlyDictionary<string, long> ordersByStatus = new Dictionary<string, long>();

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
    }

    public void Update(IReadOnlyList<AlertState> evaluated, IReadOnlyDictionary<string, long> orders)
    {
        alerts = evaluated;
        ordersByStatus = orders;
    }
}
