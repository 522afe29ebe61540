namespace Ticketing.Abstractions.Tickets;

/// <summary>
/// Where a gate's scan enters (a stateless worker, one or more per silo): finds
/// the ticket a code belongs to and hands the scan to that ticket's
/// <see cref="ITicketGrain"/>. A code no ticket has is answered
/// <see cref="ScanOutcome.Unknown"/> and recorded.
/// </summary>
public interface IGateGrain : IGrainWithIntegerKey
{
    /// <summary>Scans <paramref name="token"/> at a gate of <paramref name="eventId"/>.</summary>
    Task<ScanResult> Scan(string token, Guid eventId, string? gate);
}
