using Ticketing.Abstractions.Tiers;

namespace Ticketing.Persistence.Tiers;

/// <summary>An issued or ended ticket as the tier grain knows it.</summary>
public sealed record TierTicket(Guid Id, Guid OrderId, int SequenceNumber, bool Live);

/// <summary>Everything a tier grain rebuilds itself from.</summary>
public sealed record TierState(TierSnapshot Tier, long Version, IReadOnlyList<HoldInfo> ActiveHolds, IReadOnlyList<TierTicket> Tickets);

/// <summary>The tier row moved on since this activation read it: another activation wrote it.</summary>
public sealed class TierVersionConflictException(Guid tierId, long expected, Exception inner)
    : Exception($"Tier {tierId} is no longer at version {expected}: another activation wrote it.", inner);
