using Ticketing.Abstractions.Tiers;

namespace Ticketing.Persistence.Tiers;

/// <summary>One change a tier grain made since its last write; a write applies a batch of them.</summary>
public abstract record TierChange;

/// <summary>A new hold.</summary>
public sealed record HoldPlaced(HoldInfo Hold) : TierChange;

/// <summary>A live hold ended (released, expired or consumed by an order).</summary>
public sealed record HoldEnded(Guid HoldId, HoldStatus Status, DateTimeOffset At, DateTimeOffset ExpiresAt, Guid? OrderId) : TierChange;

/// <summary>Tickets issued to an order: ids in sequence order from <paramref name="FirstSequence"/>.</summary>
public sealed record TicketsIssued(Guid OrderId, Guid? HoldId, int FirstSequence, IReadOnlyList<Guid> TicketIds) : TierChange;

/// <summary>Issued tickets ended; their capacity went back to the tier.</summary>
public sealed record TicketsEnded(Guid OrderId, IReadOnlyList<Guid> TicketIds, TicketEnd End) : TierChange;

/// <summary>The organiser changed the capacity.</summary>
public sealed record CapacityChanged(int From, int To) : TierChange;

/// <summary>The stored counters disagreed with the holds and tickets; the derived ones are written.</summary>
public sealed record CountersCorrected(int StoredReserved, int StoredIssued, int Reserved, int Issued) : TierChange;
