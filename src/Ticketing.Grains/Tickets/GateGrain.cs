using Orleans.Concurrency;
using Ticketing.Abstractions.Tickets;
using Ticketing.Persistence.Tickets;

namespace Ticketing.Grains.Tickets;

/// <summary>
/// Looks codes up (reads of concurrent scans go to the database together) and
/// passes each scan to its ticket. Holds nothing per code, so a rush of first
/// scans leaves no trail of activations behind.
/// </summary>
[StatelessWorker]
[Reentrant]
public sealed class GateGrain(TicketStore tickets, ScanLog scans, TimeProvider clock, ScanMetrics metrics) : Grain, IGateGrain
{
    public async Task<ScanResult> Scan(string token, Guid eventId, string? gate)
    {
        if (await tickets.FindByTokenAsync(token) is { } ticketId)
        {
            return await GrainFactory.GetGrain<ITicketGrain>(ticketId).Scan(token, eventId, gate);
        }

        await scans.RecordAsync(new ScanRecord(null, token, eventId, gate, ScanOutcome.Unknown.Name(), Admit: false, clock.GetUtcNow()));
        metrics.Record(ScanOutcome.Unknown);
        return new ScanResult(ScanOutcome.Unknown, null, null, 0, null, null);
    }
}
