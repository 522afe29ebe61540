namespace Ticketing.Abstractions.Tickets;

/// <summary>
/// One ticket's check-in: decides admission one scan at a time, so many gates
/// scanning the same code at once admit it exactly once. Its QR code can be
/// replaced, which revokes the old one.
/// </summary>
public interface ITicketGrain : IGrainWithGuidKey
{
    /// <summary>Scans <paramref name="token"/> (one of this ticket's codes, current or old) at a gate of <paramref name="eventId"/>.</summary>
    Task<ScanResult> Scan(string token, Guid eventId, string? gate);

    /// <summary>Replaces the ticket's code; the old one answers <see cref="ScanOutcome.Revoked"/>. Null when the ticket no longer admits.</summary>
    Task<string?> Reissue();

    /// <summary>Reads the ticket again (after a refund or void changed it elsewhere).</summary>
    Task Refresh();
}
