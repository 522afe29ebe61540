namespace Ticketing.Domain.Tiers;

/// <summary>Tickets issued to an order: ids in sequence order from <paramref name="FirstSequence"/>.</summary>
public sealed record TicketsIssued(Guid OrderId, Guid? HoldId, int FirstSequence, IReadOnlyList<Guid> TicketIds) : TierChange;
