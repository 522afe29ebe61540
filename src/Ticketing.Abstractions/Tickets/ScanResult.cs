namespace Ticketing.Abstractions.Tickets;

/// <summary>What the gate is told about a scanned code.</summary>
public enum ScanOutcome
{
    /// <summary>Valid, first scan: let them in.</summary>
    Admitted,

    /// <summary>Valid, but already used to get in (see the first admission's time and gate).</summary>
    AlreadyAdmitted,

    /// <summary>The code no longer admits: the ticket was refunded or voided, or the code was replaced.</summary>
    Revoked,

    /// <summary>A ticket for another event.</summary>
    WrongEvent,

    /// <summary>No ticket has this code.</summary>
    Unknown,
}

/// <summary>The answer to a scan.</summary>
/// <param name="Outcome">What the gate is told.</param>
/// <param name="TicketId">The ticket, when the code is known.</param>
/// <param name="TierId">The ticket's tier, when the code is known.</param>
/// <param name="ScanCount">How often this code has been scanned, this scan included.</param>
/// <param name="FirstScannedAt">When the ticket was admitted, if it was.</param>
/// <param name="FirstGate">Where the ticket was admitted, if it was.</param>
[GenerateSerializer, Immutable]
public sealed record ScanResult(
    [property: Id(0)] ScanOutcome Outcome,
    [property: Id(1)] Guid? TicketId,
    [property: Id(2)] Guid? TierId,
    [property: Id(3)] int ScanCount,
    [property: Id(4)] DateTimeOffset? FirstScannedAt,
    [property: Id(5)] string? FirstGate);
