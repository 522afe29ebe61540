using Ticketing.Abstractions.Tickets;
using Ticketing.Persistence.Tickets;

namespace Ticketing.Grains.Tickets;

/// <summary>The gate's rule, without I/O: what a scan of a code means for a ticket.</summary>
public static class CheckIn
{
    public static ScanOutcome Decide(TicketCheckIn ticket, string token, Guid eventId)
    {
        if (ticket.EventId != eventId)
        {
            return ScanOutcome.WrongEvent;
        }

        if (!ticket.Admits || !string.Equals(ticket.ActiveToken, token, StringComparison.Ordinal))
        {
            return ScanOutcome.Revoked;
        }

        return ticket.AdmittedAt is null ? ScanOutcome.Admitted : ScanOutcome.AlreadyAdmitted;
    }

    /// <summary>The name a scan result has in the contract and the scan history.</summary>
    public static string Name(this ScanOutcome outcome) => outcome switch
    {
        ScanOutcome.Admitted => "admitted",
        ScanOutcome.AlreadyAdmitted => "already_admitted",
        ScanOutcome.Revoked => "revoked",
        ScanOutcome.WrongEvent => "wrong_event",
        _ => "unknown",
    };
}
