using System.Diagnostics.Metrics;
using Ticketing.Abstractions.Tickets;
using Ticketing.Grains.Tiers;

namespace Ticketing.Grains.Tickets;

/// <summary>The gates' instruments, on the "Ticketing" meter.</summary>
public sealed class ScanMetrics
{
    private readonly Counter<long> scans;
    private readonly Counter<long> rescans;

    public ScanMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(TierMetrics.MeterName);
        scans = meter.CreateCounter<long>("scans", "{scan}", "Codes scanned at the gates, by result.");
        rescans = meter.CreateCounter<long>("ticket_rescans", "{scan}", "Codes scanned again after their ticket was admitted (a fraud signal).");
    }

    public void Record(ScanOutcome outcome)
    {
        scans.Add(1, new KeyValuePair<string, object?>("result", outcome.Name()));
        if (outcome == ScanOutcome.AlreadyAdmitted)
        {
            rescans.Add(1);
        }
    }
}
