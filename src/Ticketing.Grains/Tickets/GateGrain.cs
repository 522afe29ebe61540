using Orleans.Concurrency;
using Ticketing.Abstractions.Tickets;
using Ticketing.Persistence.Tickets;

namespace Ticketing.Grains.Tickets;

/// <summary>
/// Where a scan enters. Most scans at a venue are a code's first, so the
/// gate asks the database to admit the code in one write that also finds its
/// ticket: it admits only a ticket that is issued, not yet admitted, with this
/// code live and at this event, and of concurrent scans of one ticket exactly
/// one; a code nobody has is recorded unknown. Anything else (a second scan, a
/// revoked code, another event) goes to the ticket's <see cref="ITicketGrain"/>,
/// which answers precisely. Holds nothing per code, so a rush of first scans
/// leaves no trail of activations behind.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class GateGrain(ScanLog scans, TimeProvider clock, ScanMetrics metrics) : Grain, IGateGrain
{
    public async Task<ScanResult> Scan(string token, Guid eventId, string? gate)
    {
        var now = ToMicroseconds(clock.GetUtcNow());
        var written = await scans.RecordAsync(ScanRecord.AtGate(token, eventId, gate, now));
        if (written.TicketId is not { } ticketId)
        {
            metrics.Record(ScanOutcome.Unknown);
            return new ScanResult(ScanOutcome.Unknown, null, null, 0, null, null);
        }

        if (written.Recorded)
        {
            metrics.Record(ScanOutcome.Admitted);
            return new ScanResult(ScanOutcome.Admitted, ticketId, written.TierId, written.ScanCount, now, gate);
        }

        return await GrainFactory.Reference<ITicketGrain>(ticketId).Scan(token, eventId, gate);
    }

    /// <summary>PostgreSQL keeps microseconds: the admission time answered now equals the one read back later.</summary>
    private static DateTimeOffset ToMicroseconds(DateTimeOffset time) => new(time.Ticks - (time.Ticks % 10), time.Offset);
}
