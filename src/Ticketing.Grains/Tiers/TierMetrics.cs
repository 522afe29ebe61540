using System.Diagnostics.Metrics;

namespace Ticketing.Grains.Tiers;

/// <summary>The tier grains' instruments, on the "Ticketing" meter.</summary>
public sealed class TierMetrics
{
    public const string MeterName = "Ticketing";

    public TierMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        HoldsPlaced = meter.CreateCounter<long>("holds_placed", "{hold}", "Holds placed.");
        HoldsReleased = meter.CreateCounter<long>("holds_released", "{hold}", "Holds given back by buyers or replaced.");
        HoldsExpired = meter.CreateCounter<long>("holds_expired", "{hold}", "Holds that lapsed.");
        HoldExpiryLag = meter.CreateHistogram<double>("hold_expiry_lag", "s", "From a hold's expiry to its release being durable.");
        WriteBatchSize = meter.CreateHistogram<int>("tier_write_batch_size", "{change}", "Requests sharing one tier transaction.");
        TicketsIssued = meter.CreateCounter<long>("tickets_issued", "{ticket}", "Tickets issued.");
        TicketsEnded = meter.CreateCounter<long>("tickets_ended", "{ticket}", "Tickets refunded or voided, by how they ended.");
        WriteConflicts = meter.CreateCounter<long>("tier_write_conflicts", "{conflict}", "Tier writes refused by the version check or a constraint.");
    }

    public Counter<long> HoldsPlaced { get; }

    public Counter<long> HoldsReleased { get; }

    public Counter<long> HoldsExpired { get; }

    public Histogram<double> HoldExpiryLag { get; }

    public Histogram<int> WriteBatchSize { get; }

    public Counter<long> WriteConflicts { get; }

    public Counter<long> TicketsIssued { get; }

    public Counter<long> TicketsEnded { get; }
}
