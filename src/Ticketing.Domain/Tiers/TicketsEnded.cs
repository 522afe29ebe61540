using Ticketing.Abstractions.Tiers;

namespace Ticketing.Domain.Tiers;

/// <summary>Issued tickets ended; their capacity went back to the tier.</summary>
public sealed record TicketsEnded(Guid OrderId, IReadOnlyList<Guid> TicketIds, TicketEnd End) : TierChange;
