using Ticketing.Abstractions.Tiers;

namespace Ticketing.Domain.Tiers;

/// <summary>Everything a tier grain rebuilds itself from.</summary>
public sealed record TierState(TierSnapshot Tier, long Version, IReadOnlyList<HoldInfo> ActiveHolds, IReadOnlyList<TierTicket> Tickets);
