using Orleans.Concurrency;
using Ticketing.Abstractions.Tickets;
using Ticketing.Persistence.Tickets;

namespace Ticketing.Grains.Tickets;

/// <summary>
/// A code and its ticket. A code never moves to another ticket (a new code is
/// a new code), so what this grain read at activation stays true; it holds no
/// other state, so scans pass through it concurrently.
/// </summary>
[Reentrant]
public sealed class TicketCodeGrain(TicketStore tickets, ScanLog scans, TimeProvider clock, ScanMetrics metrics) : Grain, ITicketCodeGrain
{
    private Guid? ticketId;

    private string Code => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        ticketId = await tickets.FindByTokenAsync(Code);

    public async Task<ScanResult> Scan(Guid eventId, string? gate)
    {
        if (ticketId is { } known)
        {
            return await GrainFactory.GetGrain<ITicketGrain>(known).Scan(Code, eventId, gate);
        }

        // Guessed or mistyped codes must not pile up as activations.
        DeactivateOnIdle();
        await scans.RecordAsync(new ScanRecord(null, Code, eventId, gate, ScanOutcome.Unknown.Name(), Admit: false, clock.GetUtcNow()));
        metrics.Record(ScanOutcome.Unknown);
        return new ScanResult(ScanOutcome.Unknown, null, null, 0, null, null);
    }
}
