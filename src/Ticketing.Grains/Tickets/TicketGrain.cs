using Ticketing.Abstractions.Tickets;
using Ticketing.Persistence.Tickets;

namespace Ticketing.Grains.Tickets;

/// <summary>
/// One ticket's check-in. Not reentrant: scans of one code from many gates
/// are decided one after the other, and the admission is durable before the
/// gate is answered. The database guards the admission too: it is written only
/// while the ticket is still issued, unadmitted and the code live, so a
/// refund made elsewhere is never admitted even by a stale activation.
/// A ticket is scanned once or twice in an evening, so an idle one goes
/// soon: a venue's worth of activations would only weigh on the collector.
/// </summary>
[CollectionAgeLimit(Minutes = 2)]
public sealed class TicketGrain(TicketStore tickets, ScanLog scans, TimeProvider clock, ScanMetrics metrics) : Grain, ITicketGrain
{
    private TicketCheckIn? ticket;

    public override async Task OnActivateAsync(CancellationToken cancellationToken) =>
        ticket = await tickets.LoadAsync(this.GetPrimaryKey());

    public async Task<ScanResult> Scan(string token, Guid eventId, string? gate)
    {
        if (ticket is null)
        {
            DeactivateOnIdle();
            return new ScanResult(ScanOutcome.Unknown, null, null, 0, null, null);
        }

        var now = clock.GetUtcNow();
        var outcome = CheckIn.Decide(ticket, token, eventId);
        var written = await Record(outcome);
        if (!written.Recorded)
        {
            // The database refused the admission: refunded, voided or re-coded
            // behind this activation. Read it again and decide again.
            await Refresh();
            outcome = CheckIn.Decide(ticket!, token, eventId);
            written = await Record(outcome);
        }

        if (outcome == ScanOutcome.Admitted)
        {
            ticket = ticket! with { AdmittedAt = now, AdmittedGate = gate };
        }

        metrics.Record(outcome);
        return new ScanResult(outcome, ticket!.TicketId, ticket.TierId, written.ScanCount, ticket.AdmittedAt, ticket.AdmittedGate);

        Task<ScanWritten> Record(ScanOutcome decided) =>
            scans.RecordAsync(new ScanRecord(ticket!.TicketId, token, eventId, gate, decided.Name(), decided == ScanOutcome.Admitted, now));
    }

    public async Task<string?> Reissue()
    {
        if (ticket is not { Admits: true })
        {
            return null;
        }

        var token = TicketStore.NewToken();
        try
        {
            await tickets.ReissueAsync(ticket.TicketId, ticket.ActiveToken!, token, CancellationToken.None);
        }
        catch (TicketChangedException)
        {
            await Refresh();
            throw;
        }

        ticket = ticket with { ActiveToken = token };
        return token;
    }

    public async Task Refresh() => ticket = await tickets.LoadAsync(this.GetPrimaryKey());
}
