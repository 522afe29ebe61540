namespace Ticketing.Abstractions.Tickets;

/// <summary>
/// One QR code (keyed by the code itself): knows which ticket it belongs to,
/// so a gate's scan costs no lookup once the code is active, and hands the
/// scan to that ticket's <see cref="ITicketGrain"/>. A code no ticket has is
/// answered <see cref="ScanOutcome.Unknown"/>.
/// </summary>
public interface ITicketCodeGrain : IGrainWithStringKey
{
    /// <summary>Scans this code at a gate of <paramref name="eventId"/>.</summary>
    Task<ScanResult> Scan(Guid eventId, string? gate);
}
